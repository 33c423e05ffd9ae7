// The process VM's file tree (machine/guest_files.h): paths resolve inside it only, and its
// edits keep the rules Linux has (what exists, what is a folder, what may change).
#include <gtest/gtest.h>

#include "machine/guest_files.h"
#include "state/archive.h"

using namespace vmscope;
using namespace vmscope::guest_errno;

namespace {
GuestFiles tree(bool writable) {
  GuestFiles f;
  f.clear();
  GuestDirectory d;
  d.guest_path = "/data";
  d.writable = writable;
  d.entries = {{"a.txt", false, {'a'}, 0644}, {"sub", true, {}, 0755}, {"sub/b.txt", false, {'b'}, 0600}};
  f.mount(d);
  return f;
}
}  // namespace

TEST(GuestFiles, PathsResolveInsideTheTreeOnly) {
  EXPECT_EQ(GuestFiles::resolve("/", "data/../../../etc/passwd"), "/etc/passwd");
  EXPECT_EQ(GuestFiles::resolve("/data/sub", "../a.txt"), "/data/a.txt");
  EXPECT_EQ(GuestFiles::resolve("/data", "/x/./y//z/.."), "/x/y");
  EXPECT_EQ(GuestFiles::resolve("/", ".."), "/");
  EXPECT_EQ(GuestFiles::resolve("/", std::string(5000, 'a')), std::nullopt);
  const GuestFiles f = tree(false);
  EXPECT_EQ(f.find("/etc/passwd"), nullptr);
  EXPECT_EQ(f.list("/"), std::vector<std::string>{"data"});
  EXPECT_EQ(f.list("/data"), (std::vector<std::string>{"a.txt", "sub"}));
  EXPECT_EQ(f.missing("/data/a.txt/x"), -kNotdir);
  EXPECT_EQ(f.missing("/data/none/x"), -kNoent);
}

TEST(GuestFiles, AReadOnlyFolderRefusesEveryChange) {
  GuestFiles f = tree(false);
  EXPECT_EQ(f.create_file("/data/new", 0644), -kRofs);
  EXPECT_EQ(f.make_directory("/data/d", 0755), -kRofs);
  EXPECT_EQ(f.remove("/data/a.txt", false), -kRofs);
  EXPECT_EQ(f.rename("/data/a.txt", "/data/b.txt"), -kRofs);
  EXPECT_EQ(f.make_directory("/elsewhere", 0755), -kRofs) << "outside the granted folders: nothing can be made";
}

TEST(GuestFiles, RenamingAFolderMovesWhatItHoldsAndTheTreeSurvivesASnapshot) {
  GuestFiles f = tree(true);
  EXPECT_EQ(f.rename("/data/sub", "/data/sub/inner"), -kInval) << "into itself";
  EXPECT_EQ(f.make_directory("/data/full", 0755), 0);
  EXPECT_EQ(f.create_file("/data/full/x", 0644), 0);
  EXPECT_EQ(f.rename("/data/sub", "/data/full"), -kNotempty);
  EXPECT_EQ(f.remove("/data/full", true), -kNotempty);
  EXPECT_EQ(f.rename("/data/sub", "/data/moved"), 0);
  ASSERT_NE(f.find("/data/moved/b.txt"), nullptr);
  EXPECT_EQ(f.find("/data/sub/b.txt"), nullptr);
  StateWriter out;
  f.transfer_state(out);
  GuestFiles back;
  StateReader in(out.bytes());
  back.transfer_state(in);
  EXPECT_FALSE(in.failed());
  ASSERT_NE(back.find("/data/moved/b.txt"), nullptr);
  EXPECT_EQ(back.find("/data/moved/b.txt")->data, std::vector<uint8_t>{'b'});
  const std::vector<GuestFileEntry> now = back.contents("/data");
  ASSERT_EQ(now.size(), 5u);  // a.txt, full, full/x, moved, moved/b.txt
  EXPECT_EQ(now[0].path, "a.txt");
  EXPECT_EQ(now[4].path, "moved/b.txt");
}
