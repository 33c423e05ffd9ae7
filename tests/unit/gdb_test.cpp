// The gdb stub without a socket: the protocol's framing (checksums, escapes, run-length
// encoding, acknowledgements, the interrupt byte) and the target's answers to the packets gdb
// sends (registers, CSRs, memory through the page tables, breakpoints, the target description,
// monitor commands), on a machine running through a time machine.
#include <gtest/gtest.h>

#include <cstdio>

#include "gdb/gdb_target.h"
#include "gdb/rsp.h"
#include "test_assets.h"

using namespace vmscope;
using namespace vmscope::gdb;

TEST(GdbFraming, PacketsChecksumsEscapesAndInterrupts) {
  EXPECT_EQ(frame("OK"), "$OK#9a");
  {
    const std::string escaped = "a}]b}\x03" "c";  // } and # escaped: } then the byte xor 0x20
    unsigned sum = 0;
    for (const char c : escaped) sum += static_cast<unsigned char>(c);
    char tail[4];
    std::snprintf(tail, sizeof tail, "#%02x", sum & 0xff);
    EXPECT_EQ(frame("a}b#c"), "$" + escaped + tail);
  }
  PacketReader r;
  r.feed("+$g#67");
  r.feed("$m80000000,4#ff");  // a wrong checksum
  r.feed("\x03$X0,2:}]}\x03#");
  auto a = r.next();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, Incoming::Kind::ack);
  a = r.next();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, Incoming::Kind::packet);
  EXPECT_EQ(a->payload, "g");
  a = r.next();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, Incoming::Kind::bad_checksum);
  a = r.next();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, Incoming::Kind::interrupt);
  EXPECT_FALSE(r.next()) << "a packet without its checksum yet waits";
  const std::string body = "X0,2:}]}\x03";
  unsigned sum = 0;
  for (const char c : body) sum += static_cast<unsigned char>(c);
  char tail[3];
  std::snprintf(tail, sizeof tail, "%02x", sum & 0xff);
  r.feed(tail);
  a = r.next();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, Incoming::Kind::packet);
  EXPECT_EQ(a->payload, std::string("X0,2:}#"));  // }] is }, }\x03 is #
  r.feed("$0* #");  // run-length: '0' then ' ' - 29 = 3 more
  sum = '0' + '*' + ' ';
  std::snprintf(tail, sizeof tail, "%02x", sum & 0xff);
  r.feed(tail);
  a = r.next();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->payload, "0000");
  EXPECT_EQ(hex_le32(0x80000010), "10000080");
  EXPECT_EQ(from_hex("0aFf"), (std::vector<uint8_t>{0x0a, 0xff}));
  EXPECT_FALSE(from_hex("0g"));
}

namespace {
struct Fixture {
  Machine machine{[] {
    MachineOptions o;
    o.kind = MachineKind::system;
    return o;
  }()};
  std::unique_ptr<TimeMachine> time;
  std::unique_ptr<Target> target;
  Fixture() {
    const std::vector<uint8_t> elf = test::read_asset("system/sv32_paging.elf");
    EXPECT_TRUE(machine.load(elf, "sv32_paging.elf").ok());
    time = std::make_unique<TimeMachine>(machine);
    target = std::make_unique<Target>(machine, *time);
  }
  std::string ask(std::string_view packet) { return target->handle(packet).reply.value_or("(none)"); }
};
}  // namespace

TEST(GdbTarget, RegistersCsrsAndTheDescription) {
  Fixture f;
  EXPECT_EQ(f.ask("?"), "S05");
  const std::string g = f.ask("g");
  ASSERT_EQ(g.size(), 33u * 8);
  EXPECT_EQ(g.substr(32 * 8), "00000080") << "pc = 0x80000000, little-endian";
  EXPECT_EQ(f.ask("p20"), "00000080");
  EXPECT_EQ(f.ask("p" + std::to_string(0)), "00000000");
  EXPECT_EQ(f.ask("P5=78563412"), "OK");
  EXPECT_EQ(f.machine.hart().reg(5), 0x12345678u);
  // misa (0x301) is CSR regnum 65 + 0x301 = 0x342: RV32 with I, M, A, C, S and U.
  uint32_t misa = 0;
  ASSERT_TRUE(f.machine.hart().debug_read_csr(0x301, misa));
  EXPECT_EQ(f.ask("p342"), hex_le32(misa));
  EXPECT_EQ(f.ask("p" + std::string("1041")), "03000000") << "priv (65 + 4096 = 0x1041): M-mode";
  EXPECT_EQ(f.ask("pfff0"), "E01") << "no such register";
  std::string xml;
  for (unsigned at = 0;;) {
    char offset[32];
    std::snprintf(offset, sizeof offset, "%x,200", at);
    const std::string part = f.ask(std::string("qXfer:features:read:target.xml:") + offset);
    ASSERT_FALSE(part.empty());
    xml += part.substr(1);
    at += static_cast<unsigned>(part.size() - 1);
    if (part[0] == 'l') break;
  }
  EXPECT_NE(xml.find("<architecture>riscv:rv32</architecture>"), std::string::npos);
  EXPECT_NE(xml.find("<reg name=\"mstatus\" bitsize=\"32\" regnum=\"833\""), std::string::npos);
  EXPECT_NE(xml.find("<reg name=\"priv\""), std::string::npos);
  EXPECT_EQ(xml.find("hstatus"), std::string::npos) << "no H CSRs on a hart without H";
}

TEST(GdbTarget, MemoryBreakpointsAndRunning) {
  Fixture f;
  EXPECT_EQ(f.ask("m80000000,4"), "97510000") << "the first instruction, auipc gp";
  EXPECT_EQ(f.ask("m0,4"), "E14") << "nothing at address 0";
  EXPECT_EQ(f.ask("M80100000,2:beef"), "OK");
  EXPECT_EQ(f.ask("m80100000,2"), "beef");
  EXPECT_EQ(f.ask("Z0,80000010,4"), "OK");
  Action a = f.target->handle("vCont;c");
  EXPECT_EQ(a.resume, Action::Resume::forward);
  std::optional<std::string> stop;
  for (int i = 0; i < 10 && !stop; ++i) stop = f.target->run(1000);
  ASSERT_TRUE(stop);
  EXPECT_EQ(*stop, "T05swbreak:;");
  EXPECT_EQ(f.machine.hart().pc(), 0x80000010u);
  EXPECT_EQ(f.target->step(), "T05");
  EXPECT_EQ(f.machine.hart().pc(), 0x80000014u);
  EXPECT_EQ(f.target->reverse_step(), "T05");
  EXPECT_EQ(f.machine.hart().pc(), 0x80000010u);
  EXPECT_EQ(f.ask("z0,80000010,4"), "OK");
  for (stop.reset(); !stop;) stop = f.target->run(1'000'000);
  EXPECT_EQ(*stop, "W00") << "the program passes and exits 0";
  EXPECT_TRUE(f.target->finished());
  const std::string help = f.ask("qRcmd," + std::string("68656c70"));  // "help"
  const auto text = from_hex(help);
  ASSERT_TRUE(text);
  EXPECT_NE(std::string(text->begin(), text->end()).find("info mem"), std::string::npos);
  EXPECT_EQ(f.ask("qSupported:multiprocess+;swbreak+"),
            "PacketSize=4000;qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+;ReverseStep+;ReverseContinue+;"
            "vContSupported+;qemu.PhyMemMode+");
  EXPECT_EQ(f.ask("vMustReplyEmpty"), "");
}

// Bad packets get the protocol's answers (an error, or the empty reply for what is not
// supported), never a crash: the fuzz target (tests/fuzz/fuzz_gdb.cpp) tries the rest.
TEST(GdbTarget, MalformedAndUnknownPacketsGetTheProtocolsAnswers) {
  Fixture f;
  EXPECT_EQ(f.ask("mzz,4"), "E01");
  EXPECT_EQ(f.ask("m80000000"), "E01") << "no length";
  EXPECT_EQ(f.ask("m80000000,100000"), "E01") << "more than a packet can carry";
  EXPECT_EQ(f.ask("mffffffff,4"), "E14") << "beyond the address space";
  EXPECT_EQ(f.ask("M80100000,4:beef"), "E01") << "fewer bytes than the length says";
  EXPECT_EQ(f.ask("M80100000,2:bexx"), "E01");
  EXPECT_EQ(f.ask("X80100000,3:ab"), "E01");
  EXPECT_EQ(f.ask("G00"), "E01");
  EXPECT_EQ(f.ask("P20=12"), "E01") << "a register is four bytes";
  EXPECT_EQ(f.ask("Pzz=12345678"), "E01");
  EXPECT_EQ(f.ask("Z9,80000000,4"), "") << "an unknown breakpoint type is not supported";
  EXPECT_EQ(f.ask("Z0,zz,4"), "E01");
  EXPECT_EQ(f.ask("Z0"), "E01");
  EXPECT_EQ(f.ask("qFooBar"), "");
  EXPECT_EQ(f.ask("vFile:open:2f6574632f706173737764,0,0"), "") << "no host files, ever";
  EXPECT_EQ(f.ask("qXfer:exec-file:read::0,100"), "");
  EXPECT_EQ(f.ask("qXfer:features:read:target.xml:zz"), "E01");
  EXPECT_EQ(f.ask("qRcmd,zz"), "E01");
  const auto unknown = from_hex(f.ask("qRcmd," + std::string("726d202d7266")));  // "rm -rf"
  ASSERT_TRUE(unknown);
  EXPECT_NE(std::string(unknown->begin(), unknown->end()).find("unknown monitor command"), std::string::npos);
  EXPECT_EQ(f.ask("vCont;x"), "E01");
  EXPECT_EQ(f.ask("bx"), "");
  EXPECT_EQ(f.ask("?"), "S05") << "nothing above changed the machine's state of being stopped";
}
