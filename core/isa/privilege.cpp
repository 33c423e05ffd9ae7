#include "isa/privilege.h"

namespace vmscope {

const char* to_string(Priv p) {
  switch (p) {
    case Priv::U: return "U";
    case Priv::S: return "S";
    case Priv::M: return "M";
  }
  return "?";
}

}  // namespace vmscope
