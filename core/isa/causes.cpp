#include "isa/causes.h"

namespace vmscope {

const char* exception_name(unsigned code) {
  switch (code) {
    case 0: return "instruction address misaligned";
    case 1: return "instruction access fault";
    case 2: return "illegal instruction";
    case 3: return "breakpoint";
    case 4: return "load address misaligned";
    case 5: return "load access fault";
    case 6: return "store/AMO address misaligned";
    case 7: return "store/AMO access fault";
    case 8: return "environment call from U-mode";
    case 9: return "environment call from S-mode";
    case 10: return "environment call from VS-mode";
    case 11: return "environment call from M-mode";
    case 12: return "instruction page fault";
    case 13: return "load page fault";
    case 15: return "store/AMO page fault";
    case 20: return "instruction guest-page fault";
    case 21: return "load guest-page fault";
    case 22: return "virtual instruction";
    case 23: return "store/AMO guest-page fault";
  }
  return "reserved exception";
}

const char* interrupt_name(unsigned code) {
  switch (code) {
    case 1: return "supervisor software interrupt";
    case 2: return "virtual supervisor software interrupt";
    case 3: return "machine software interrupt";
    case 5: return "supervisor timer interrupt";
    case 6: return "virtual supervisor timer interrupt";
    case 7: return "machine timer interrupt";
    case 9: return "supervisor external interrupt";
    case 10: return "virtual supervisor external interrupt";
    case 11: return "machine external interrupt";
    case 12: return "supervisor guest external interrupt";
  }
  return "reserved interrupt";
}

}  // namespace vmscope
