#include "store/maildir/maildir_store.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>
#include <thread>

#include "base/ascii.h"
#include "store/index/lmdb.h"
#include "store/maildir/layout.h"
#include "store/maildir/test_util.h"

namespace courriel::store {
namespace {

namespace fs = std::filesystem;
using testing::append_one;
using testing::full_snapshot;
using testing::make_message;
using testing::read_all;
using testing::write_file;

class MaildirTest : public ::testing::Test {
 protected:
  StoreSettings settings(bool fsync = false) {
    StoreSettings s;
    s.data_dir = dir_.path();
    s.fsync = fsync;
    s.on_repair = [this](const std::string&, const std::string& what) { repairs_.push_back(what); };
    return s;
  }
  std::shared_ptr<Account> open(bool fsync = false) {
    store_ = make_maildir_store(settings(fsync));
    auto a = store_->open(user_);
    EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error().detail);
    return a.ok() ? *a : nullptr;
  }
  fs::path maildir() const { return dir_.path() / "example.org" / "alice" / "Maildir"; }
  fs::path index_dir() const { return dir_.path() / "example.org" / "alice" / "index"; }
  MailboxId id(Account& a, const std::string& name) {
    auto r = a.lookup(name);
    EXPECT_TRUE(r.ok()) << name;
    return r.ok() ? *r : 0;
  }
  // Lets go of an account once its file names have caught up with its flags
  // (in the server the renamer keeps the account open until then).
  static void close(std::shared_ptr<Account>& a) {
    ASSERT_TRUE(settle_file_names(*a).ok());
    a.reset();
  }
  std::vector<uint32_t> uids(Account& a, MailboxId mb) {
    auto s = a.snapshot(mb, false);
    EXPECT_TRUE(s.ok());
    return s.ok() ? expand(s->uid_ranges) : std::vector<uint32_t>{};
  }
  static std::vector<MailboxInfo> listed(Account& a) {
    auto l = a.list();
    EXPECT_TRUE(l.ok());
    return l.ok() ? std::move(l).value() : std::vector<MailboxInfo>{};
  }
  std::vector<std::string> files(const fs::path& dir) {
    std::vector<std::string> out;
    for (auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

  testing::TempDir dir_;
  std::string user_ = "alice@example.org";
  std::unique_ptr<Store> store_;
  std::vector<std::string> repairs_;
};

TEST_F(MaildirTest, NewAccountHasDefaultMailboxes) {
  auto a = open();
  auto l = a->list();
  ASSERT_TRUE(l.ok());
  std::vector<std::string> names;
  for (auto& i : *l) {
    names.push_back(i.name);
    EXPECT_TRUE(i.subscribed) << i.name;
    EXPECT_TRUE(i.exists);
    if (i.name == "Sent") {
      EXPECT_EQ(i.special_use, kSent);
    }
    if (i.name == "Trash") {
      EXPECT_EQ(i.special_use, kTrash);
    }
  }
  EXPECT_EQ(names, (std::vector<std::string>{"Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"}));
  EXPECT_TRUE(fs::is_directory(maildir() / "cur"));
  EXPECT_TRUE(fs::is_directory(maildir() / ".Sent" / "tmp"));
  EXPECT_TRUE(fs::exists(maildir() / ".Sent" / "courriel-uidvalidity"));
  EXPECT_TRUE(fs::exists(maildir() / ".Sent" / "maildirfolder"));
  EXPECT_TRUE(repairs_.empty());
}

TEST_F(MaildirTest, SameAccountForConcurrentCallers) {
  auto a = open();
  std::vector<std::shared_ptr<Account>> got(8);
  std::vector<std::thread> ts;
  for (int i = 0; i < 8; ++i)
    ts.emplace_back([&, i] { got[i] = *make_maildir_store(settings())->open(user_); });
  for (auto& t : ts) t.join();
  for (auto& g : got) EXPECT_EQ(g.get(), a.get());
  EXPECT_EQ(make_maildir_store(settings())->open("nobody").code(), Errc::invalid);
  EXPECT_EQ(make_maildir_store(settings())->open("../x@y").code(), Errc::invalid);
}

TEST_F(MaildirTest, CreateListRenameWithChildren) {
  auto a = open();
  ASSERT_TRUE(a->create("a/b/c").ok());
  EXPECT_EQ(a->create("a/b").code(), Errc::already_exists);
  EXPECT_EQ(a->create("INBOX").code(), Errc::already_exists);
  auto l = *a->list();
  std::map<std::string, MailboxInfo> by;
  for (auto& i : l) by[i.name] = i;
  ASSERT_TRUE(by.count("a") && by.count("a/b") && by.count("a/b/c"));
  EXPECT_TRUE(by["a"].has_children);
  EXPECT_TRUE(by["a/b"].has_children);
  EXPECT_FALSE(by["a/b/c"].has_children);
  EXPECT_FALSE(by["a"].subscribed);
  EXPECT_TRUE(fs::is_directory(maildir() / ".a.b.c" / "cur"));

  MailboxId c = id(*a, "a/b/c");
  uint32_t uid = append_one(*a, c, "Subject: hi\r\n\r\nbody\r\n");
  uint32_t uv = a->snapshot(c, false)->uidvalidity;
  ASSERT_TRUE(a->rename("a", "x/y").ok());
  EXPECT_EQ(a->lookup("a").code(), Errc::not_found);
  EXPECT_EQ(a->lookup("a/b/c").code(), Errc::not_found);
  EXPECT_EQ(id(*a, "x/y/b/c"), c);  // ids and UIDVALIDITY survive a rename
  EXPECT_TRUE(a->lookup("x").ok());  // new parent created
  EXPECT_EQ(a->snapshot(c, false)->uidvalidity, uv);
  EXPECT_EQ(read_all(*a, c, uid), "Subject: hi\r\n\r\nbody\r\n");
  EXPECT_TRUE(fs::is_directory(maildir() / ".x.y.b.c" / "cur"));
  EXPECT_FALSE(fs::exists(maildir() / ".a.b.c"));
  EXPECT_EQ(a->rename("x/y", "Sent").code(), Errc::already_exists);
  EXPECT_EQ(a->rename("nope", "zz").code(), Errc::not_found);
  EXPECT_EQ(a->rename("x/y", "x/y/z").code(), Errc::invalid);
  EXPECT_EQ(a->rename("Sent", "INBOX").code(), Errc::already_exists);
}

TEST_F(MaildirTest, NamesWithDotsAndUnicode) {
  auto a = open();
  ASSERT_TRUE(a->create("Archives.2023").ok());
  ASSERT_TRUE(a->create("Entwürfe/日本").ok());
  EXPECT_TRUE(fs::is_directory(maildir() / ".Archives&AC4-2023"));
  EXPECT_TRUE(fs::is_directory(maildir() / ".Entw&APw-rfe.&ZeVnLA-"));
  // A rebuilt index finds the same names on disk.
  close(a);
  fs::remove_all(index_dir());
  a = open();
  EXPECT_TRUE(a->lookup("Archives.2023").ok());
  EXPECT_TRUE(a->lookup("Entwürfe/日本").ok());
}

TEST_F(MaildirTest, RenameInboxMovesMessagesAndLeavesInboxEmpty) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  ASSERT_TRUE(a->create("INBOX/child").ok());
  append_one(*a, inbox, "one");
  append_one(*a, inbox, "two", Flags{kSeen, {"$Label1"}});
  ASSERT_TRUE(a->rename("INBOX", "Old").ok());
  EXPECT_EQ(id(*a, "INBOX"), inbox);
  EXPECT_TRUE(uids(*a, inbox).empty());
  EXPECT_TRUE(a->lookup("INBOX/child").ok());
  MailboxId old = id(*a, "Old");
  auto snap = *full_snapshot(*a, old, false);
  ASSERT_EQ(snap.messages.size(), 2u);
  EXPECT_EQ(read_all(*a, old, snap.messages[0].uid), "one");
  EXPECT_EQ(read_all(*a, old, snap.messages[1].uid), "two");
  EXPECT_EQ(snap.messages[1].flags, (Flags{kSeen, {"$Label1"}}));
  EXPECT_TRUE(files(maildir() / "cur").empty());
  EXPECT_EQ(a->status("INBOX")->messages, 0u);
  // New INBOX mail gets UIDs after the old ones.
  EXPECT_GE(append_one(*a, inbox, "three"), 3u);
}

TEST_F(MaildirTest, DeleteMailbox) {
  auto a = open();
  MailboxId trash = id(*a, "Trash");
  uint32_t uv = a->snapshot(trash, false)->uidvalidity;
  append_one(*a, trash, "x");
  EXPECT_EQ(a->remove("INBOX").code(), Errc::permission_denied);
  EXPECT_EQ(a->remove("Nope").code(), Errc::not_found);
  ASSERT_TRUE(a->remove("Trash").ok());
  EXPECT_FALSE(fs::exists(maildir() / ".Trash"));
  EXPECT_EQ(a->lookup("Trash").code(), Errc::not_found);
  EXPECT_EQ(a->snapshot(trash, false).code(), Errc::not_found);
  bool listed_nonexistent = false;
  for (auto& i : listed(*a))
    if (i.name == "Trash") listed_nonexistent = !i.exists && i.subscribed;
  EXPECT_TRUE(listed_nonexistent);  // still subscribed
  auto again = a->create("Trash");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*again, trash);
  EXPECT_NE(a->snapshot(*again, false)->uidvalidity, uv);
  EXPECT_TRUE(uids(*a, *again).empty());
  // Children survive a parent's deletion.
  ASSERT_TRUE(a->create("p/q").ok());
  ASSERT_TRUE(a->remove("p").ok());
  EXPECT_TRUE(a->lookup("p/q").ok());
  ASSERT_TRUE(a->create("INBOX/sub").ok());
  EXPECT_TRUE(a->remove("INBOX/sub").ok());
}

TEST_F(MaildirTest, SubscribeIncludingNonexistent) {
  auto a = open();
  ASSERT_TRUE(a->subscribe("Ghost/Folder", true).ok());
  ASSERT_TRUE(a->subscribe("Sent", false).ok());
  std::map<std::string, MailboxInfo> by;
  for (auto& i : listed(*a)) by[i.name] = i;
  ASSERT_TRUE(by.count("Ghost/Folder"));
  EXPECT_FALSE(by["Ghost/Folder"].exists);
  EXPECT_TRUE(by["Ghost/Folder"].subscribed);
  EXPECT_FALSE(by["Sent"].subscribed);
  EXPECT_EQ(a->subscribe("bad//name", true).code(), Errc::invalid);
}

TEST_F(MaildirTest, BadNamesRejected) {
  auto a = open();
  for (std::string n : {"../x", "a//b", "/a", "a/", "a\x01z", "bad\xff", "50%", "a*", "..", "a/../b", ""}) {
    EXPECT_EQ(a->create(n).code(), Errc::invalid) << n;
    EXPECT_EQ(a->rename("Sent", n).code(), Errc::invalid) << n;
  }
  EXPECT_EQ(files(maildir()).size(), files(maildir()).size());
  for (auto& f : files(maildir())) EXPECT_EQ(f.find(".."), std::string::npos) << f;
}

TEST_F(MaildirTest, AppendAssignsUidsAndModseqs) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  auto before = *full_snapshot(*a, inbox, false);
  EXPECT_EQ(before.uidnext, 1u);
  EXPECT_GT(before.uidvalidity, 0u);
  uint32_t u1 = append_one(*a, inbox, "first", Flags{kSeen, {}});
  std::vector<NewMessage> v;
  v.push_back(make_message(*a, "second"));
  v.push_back(make_message(*a, "third", Flags{kFlagged | kDraft, {"Work"}}, 1700000000));
  v.back().internal_date_offset = 120;
  auto r = a->append(inbox, std::move(v));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->uidvalidity, before.uidvalidity);
  EXPECT_EQ(u1, 1u);
  EXPECT_EQ(r->uids, (std::vector<uint32_t>{2, 3}));
  auto snap = *full_snapshot(*a, inbox, false);
  EXPECT_EQ(snap.uidnext, 4u);
  ASSERT_EQ(snap.messages.size(), 3u);
  EXPECT_GT(snap.messages[1].modseq, snap.messages[0].modseq);
  EXPECT_EQ(snap.messages[1].modseq, snap.messages[2].modseq);  // one append, one modseq
  EXPECT_EQ(snap.highest_modseq, snap.messages[2].modseq);
  EXPECT_EQ(snap.messages[2].internal_date, 1700000000);
  EXPECT_EQ(snap.messages[2].internal_date_offset, 120);
  EXPECT_EQ(snap.messages[2].size, 5u);
  EXPECT_EQ(snap.messages[2].flags, (Flags{kFlagged | kDraft, {"Work"}}));
  EXPECT_EQ(read_all(*a, inbox, 3), "third");
  auto cur = files(maildir() / "cur");
  ASSERT_EQ(cur.size(), 3u);
  int with_fs = 0;
  for (auto& f : cur) {
    auto fn = maildir::parse_file_name(f);
    EXPECT_TRUE(fn.uid);
    if (fn.uid == 3u) {
      EXPECT_TRUE(f.ends_with(",S=5,U=3:2,DF")) << f;
      with_fs++;
    }
  }
  EXPECT_EQ(with_fs, 1);
  EXPECT_TRUE(files(maildir() / "tmp").empty());
  EXPECT_EQ(a->open_message(inbox, 99).code(), Errc::not_found);
}

TEST_F(MaildirTest, LargeMessageStreamedThroughIncoming) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  auto in = a->begin_message().value();
  std::string chunk(1000, 'x');
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(in->write(chunk + std::to_string(i % 10)).ok());
  EXPECT_EQ(in->size(), 300u * 1001);
  std::vector<NewMessage> v(1);
  v[0].body = std::move(in);
  auto r = a->append(inbox, std::move(v));
  ASSERT_TRUE(r.ok());
  auto f = a->open_message(inbox, r->uids[0]).value();
  EXPECT_EQ(f->size(), 300u * 1001);
  char buf[3];
  ASSERT_EQ(*f->read(1000, std::span<char>(buf, 3)), 3u);
  EXPECT_EQ(std::string(buf, 3), "0xx");
  EXPECT_EQ(*f->read(300u * 1001, std::span<char>(buf, 3)), 0u);
}

TEST_F(MaildirTest, AppendIsAllOrNothing) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  testing::TempDir other_dir;
  StoreSettings os = settings();
  os.data_dir = other_dir.path();
  auto other = *make_maildir_store(os)->open("bob@example.org");
  std::vector<NewMessage> v;
  v.push_back(make_message(*a, "ok"));
  v.push_back(make_message(*other, "foreign"));
  EXPECT_EQ(a->append(inbox, std::move(v)).code(), Errc::invalid);
  std::vector<NewMessage> w;
  w.push_back(make_message(*a, "to nowhere"));
  EXPECT_EQ(a->append(4242, std::move(w)).code(), Errc::not_found);
  EXPECT_TRUE(uids(*a, inbox).empty());
  EXPECT_EQ(a->snapshot(inbox, false)->uidnext, 1u);
  EXPECT_TRUE(files(maildir() / "tmp").empty());
  EXPECT_TRUE(files(maildir() / "cur").empty());
  // Abandoned incoming messages leave nothing behind.
  { auto in = a->begin_message().value(); (void)in->write("abandoned"); }
  EXPECT_TRUE(files(maildir() / "tmp").empty());
}

TEST_F(MaildirTest, FlagsAndKeywords) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  Flags many;
  for (int i = 0; i < 500; ++i) many.keywords.push_back("kw" + std::to_string(i));
  many.keywords.push_back("KW7");  // duplicate, case-insensitively
  uint32_t u1 = append_one(*a, inbox, "a", many);
  uint32_t u2 = append_one(*a, inbox, "b");
  uint32_t u3 = append_one(*a, inbox, "c");
  auto m1 = (*a->messages(inbox, std::vector<uint32_t>{u1}))[0];
  EXPECT_EQ(m1.flags.keywords.size(), 500u);
  EXPECT_TRUE(std::is_sorted(m1.flags.keywords.begin(), m1.flags.keywords.end(),
                             [](auto& x, auto& y) { return ascii::lower(x) < ascii::lower(y); }));

  std::vector<uint32_t> all{u1, u2, u3};
  uint64_t hm = a->snapshot(inbox, false)->highest_modseq;
  auto changed = a->store(inbox, all, FlagOp::add, Flags{kSeen, {"$Junk"}}, std::nullopt, nullptr);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->size(), 3u);
  for (auto& m : *changed) {
    EXPECT_EQ(m.modseq, hm + 1);
    EXPECT_TRUE(m.flags.system & kSeen);
  }
  // Unchanged flags: nothing reported, no new modseq.
  EXPECT_TRUE(a->store(inbox, all, FlagOp::add, Flags{kSeen, {}}, std::nullopt, nullptr)->empty());
  EXPECT_EQ(a->snapshot(inbox, false)->highest_modseq, hm + 1);

  auto rem = *a->store(inbox, std::vector<uint32_t>{u1}, FlagOp::remove, Flags{0, {"kw1", "KW2", "$junk"}},
                       std::nullopt, nullptr);
  ASSERT_EQ(rem.size(), 1u);
  EXPECT_EQ(rem[0].flags.keywords.size(), 498u);
  auto rep = *a->store(inbox, std::vector<uint32_t>{u2}, FlagOp::replace, Flags{kFlagged | kAnswered, {"x"}},
                       std::nullopt, nullptr);
  EXPECT_EQ(rep[0].flags, (Flags{kFlagged | kAnswered, {"x"}}));
  EXPECT_EQ(rep[0].modseq, hm + 3);

  // UNCHANGEDSINCE: u2 changed after hm+1, so it fails; u3 does not.
  std::vector<uint32_t> failed;
  auto cond = *a->store(inbox, std::vector<uint32_t>{u2, u3}, FlagOp::add, Flags{kDeleted, {}}, hm + 1, &failed);
  EXPECT_EQ(failed, (std::vector<uint32_t>{u2}));
  ASSERT_EQ(cond.size(), 1u);
  EXPECT_EQ(cond[0].uid, u3);
  // File names follow the flags (the renamer's work, done now).
  ASSERT_TRUE(settle_file_names(*a).ok());
  for (auto& f : files(maildir() / "cur")) {
    auto fn = maildir::parse_file_name(f);
    if (fn.uid == u2) {
      EXPECT_TRUE(f.ends_with(":2,FR")) << f;
    }
    if (fn.uid == u3) {
      EXPECT_TRUE(f.ends_with(":2,ST")) << f;
    }
  }
  EXPECT_EQ(read_all(*a, inbox, u3), "c");
  auto check = check_index(settings(), user_);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->empty()) << (*check)[0];
}

TEST_F(MaildirTest, CopyAndMove) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX"), arch = id(*a, "Archive");
  append_one(*a, arch, "pre-existing");
  uint32_t u1 = append_one(*a, inbox, "m1", Flags{kSeen, {"$k"}});
  append_one(*a, inbox, "m2");
  uint32_t u3 = append_one(*a, inbox, "m3");
  auto c = a->copy(inbox, std::vector<uint32_t>{u3, u1, 99}, arch, false);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->uidvalidity, a->snapshot(arch, false)->uidvalidity);
  EXPECT_EQ(c->source_uids, (std::vector<uint32_t>{u1, u3}));
  EXPECT_EQ(c->dest_uids, (std::vector<uint32_t>{2, 3}));
  EXPECT_EQ(read_all(*a, arch, 2), "m1");
  EXPECT_EQ((*a->messages(arch, std::vector<uint32_t>{2}))[0].flags, (Flags{kSeen, {"$k"}}));
  // Hard links: the copy shares the source's inode.
  for (auto& f : files(maildir() / ".Archive" / "cur")) {
    struct stat st;
    ::stat((maildir() / ".Archive" / "cur" / f).c_str(), &st);
    if (maildir::parse_file_name(f).uid == 2u) {
      EXPECT_EQ(st.st_nlink, 2u);
    }
  }
  EXPECT_EQ(uids(*a, inbox).size(), 3u);

  uint64_t since = a->snapshot(inbox, false)->highest_modseq;
  auto m = a->copy(inbox, std::vector<uint32_t>{u1, u3}, arch, true);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->dest_uids, (std::vector<uint32_t>{4, 5}));
  EXPECT_EQ(uids(*a, inbox), (std::vector<uint32_t>{2}));
  EXPECT_EQ(files(maildir() / "cur").size(), 1u);
  auto ch = *a->changes_since(inbox, since);
  EXPECT_EQ(ch.expunged, (std::vector<uint32_t>{u1, u3}));
  EXPECT_EQ(read_all(*a, arch, 5), "m3");
  EXPECT_EQ(a->status("Archive")->messages, 5u);
  EXPECT_EQ(a->copy(inbox, std::vector<uint32_t>{2}, 777, false).code(), Errc::not_found);
  EXPECT_TRUE(check_index(settings(), user_)->empty());
}

TEST_F(MaildirTest, ExpungeRemovesDeletedAndFiles) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  for (int i = 0; i < 6; ++i) append_one(*a, inbox, "msg" + std::to_string(i), Flags{uint8_t(i % 2 ? kDeleted : 0), {}});
  EXPECT_EQ(a->status("INBOX")->deleted, 3u);
  std::vector<uint32_t> only{2, 3};
  auto e1 = a->expunge(inbox, std::span<const uint32_t>(only));
  ASSERT_TRUE(e1.ok());
  EXPECT_EQ(*e1, (std::vector<uint32_t>{2}));
  auto e2 = *a->expunge(inbox, std::nullopt);
  EXPECT_EQ(e2, (std::vector<uint32_t>{4, 6}));
  EXPECT_EQ(uids(*a, inbox), (std::vector<uint32_t>{1, 3, 5}));
  EXPECT_EQ(files(maildir() / "cur").size(), 3u);
  EXPECT_TRUE(a->expunge(inbox, std::nullopt)->empty());
  EXPECT_EQ(a->open_message(inbox, 2).code(), Errc::not_found);
  auto st = *a->status("INBOX");
  EXPECT_EQ(st.messages, 3u);
  EXPECT_EQ(st.deleted, 0u);
  EXPECT_EQ(st.size, 12u);
}

TEST_F(MaildirTest, ChangesSinceReportsNewChangedExpunged) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  for (int i = 0; i < 5; ++i) append_one(*a, inbox, "m");
  uint64_t base = a->snapshot(inbox, false)->highest_modseq;
  EXPECT_TRUE(a->changes_since(inbox, base)->updated.empty());
  append_one(*a, inbox, "new");
  (void)a->store(inbox, std::vector<uint32_t>{2}, FlagOp::add, Flags{kDeleted, {}}, std::nullopt, nullptr);
  (void)a->store(inbox, std::vector<uint32_t>{4}, FlagOp::add, Flags{kSeen, {}}, std::nullopt, nullptr);
  (void)a->expunge(inbox, std::nullopt);
  auto ch = *a->changes_since(inbox, base);
  std::vector<uint32_t> upd;
  for (auto& m : ch.updated) upd.push_back(m.uid);
  EXPECT_EQ(upd, (std::vector<uint32_t>{4, 6}));
  EXPECT_EQ(ch.expunged, (std::vector<uint32_t>{2}));
  EXPECT_EQ(ch.uidnext, 7u);
  EXPECT_EQ(ch.highest_modseq, base + 4);
  auto ch0 = *a->changes_since(inbox, 0);
  EXPECT_EQ(ch0.updated.size(), 5u);
  auto last = *a->changes_since(inbox, ch.highest_modseq);
  EXPECT_TRUE(last.updated.empty() && last.expunged.empty());
}

// The event loop's index-only answers: the same as the full calls when the
// index is current, and nothing (the caller goes to the pool) when the full
// call would scan, write or read many changes.
TEST_F(MaildirTest, IndexOnlyAnswersMatchTheFullCallsOrDecline) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  for (int i = 0; i < 3; ++i) append_one(*a, inbox, "m", Flags{uint8_t(i == 0 ? kSeen : 0), {"$Work"}});
  ASSERT_TRUE(settle_file_names(*a).ok());
  // Directory times within the last 50 ms are not trusted (stable_mtime):
  // age them, as time would, and let a full call record them.
  auto age = [&] {
    for (const char* sub : {"new", "cur"}) {
      struct timespec times[2] = {{1700000000, 0}, {1700000000, 0}};
      ASSERT_EQ(::utimensat(AT_FDCWD, (maildir() / sub).c_str(), times, 0), 0);
    }
  };
  age();
  EXPECT_FALSE(a->snapshot_from_index(inbox, false));  // the index has not seen these times yet
  auto full = *a->snapshot(inbox, false);
  auto quick = a->snapshot_from_index(inbox, false);
  ASSERT_TRUE(quick && quick->ok());
  EXPECT_EQ((*quick)->uid_ranges, full.uid_ranges);
  EXPECT_EQ((*quick)->first_unseen_uid, 2u);
  EXPECT_EQ((*quick)->uidnext, full.uidnext);
  EXPECT_EQ((*quick)->highest_modseq, full.highest_modseq);
  EXPECT_EQ((*quick)->keywords, std::vector<std::string>{"$Work"});
  // Claiming \Recent for new messages is a write: declined until claimed.
  EXPECT_FALSE(a->snapshot_from_index(inbox, true));
  EXPECT_EQ(a->snapshot(inbox, true)->first_recent_uid, 1u);
  quick = a->snapshot_from_index(inbox, true);
  ASSERT_TRUE(quick && quick->ok());
  EXPECT_EQ((*quick)->first_recent_uid, 4u);
  // A few changes are read on the spot, many are not.
  uint64_t base = full.highest_modseq;
  std::vector<uint32_t> two{2};
  ASSERT_TRUE(a->store(inbox, two, FlagOp::add, Flags{kFlagged, {}}, std::nullopt, nullptr).ok());
  ASSERT_TRUE(settle_file_names(*a).ok());
  age();
  ASSERT_TRUE(a->changes_since(inbox, base).ok());  // records the aged times
  auto few = a->changes_from_index(inbox, base);
  ASSERT_TRUE(few && few->ok());
  ASSERT_EQ((*few)->updated.size(), 1u);
  EXPECT_EQ((*few)->updated[0].uid, 2u);
  EXPECT_EQ((*few)->updated[0].flags.system, kFlagged);
  std::vector<uint32_t> many;
  for (int i = 0; i < 600; ++i) many.push_back(append_one(*a, inbox, "n"));
  ASSERT_TRUE(settle_file_names(*a).ok());
  age();
  EXPECT_EQ(a->changes_since(inbox, base)->updated.size(), 601u);
  EXPECT_FALSE(a->changes_from_index(inbox, base));
  EXPECT_TRUE(a->changes_from_index(inbox, a->snapshot(inbox, false)->highest_modseq - 1));
  // A file another program drops in needs a scan: declined.
  write_file(maildir() / "new" / "1800000000.M1P1.procmail", "dropped");
  EXPECT_FALSE(a->snapshot_from_index(inbox, false));
  EXPECT_FALSE(a->changes_from_index(inbox, base));
  EXPECT_EQ(a->snapshot(inbox, false)->uidnext, 605u);
  // A mailbox that is gone: declined, and the full call says why.
  EXPECT_FALSE(a->snapshot_from_index(9999, false));
  EXPECT_EQ(a->snapshot(9999, false).code(), Errc::not_found);
}

// Scattered UIDs take long to describe: the event loop leaves them to the pool.
TEST_F(MaildirTest, IndexOnlySnapshotDeclinesScatteredUids) {
  auto a = open();
  MailboxId arch = id(*a, "Archive");
  std::vector<uint32_t> odd;
  for (int i = 0; i < 8200; ++i) {
    uint32_t uid = append_one(*a, arch, "m", Flags{kSeen, {}});
    if (uid % 2) odd.push_back(uid);
  }
  ASSERT_TRUE(a->store(arch, odd, FlagOp::add, Flags{kDeleted, {}}, std::nullopt, nullptr).ok());
  ASSERT_EQ(a->expunge(arch, std::nullopt)->size(), 4100u);
  auto age = [&] {
    ASSERT_TRUE(settle_file_names(*a).ok());
    for (const char* sub : {"new", "cur"}) {
      struct timespec times[2] = {{1700000000, 0}, {1700000000, 0}};
      ASSERT_EQ(::utimensat(AT_FDCWD, (maildir() / ".Archive" / sub).c_str(), times, 0), 0);
    }
  };
  age();
  EXPECT_EQ(a->snapshot(arch, false)->uid_ranges.size(), 4100u);  // 2, 4, ... 8200
  EXPECT_FALSE(a->snapshot_from_index(arch, false));
  // Down to a few ranges: answered on the spot again.
  std::vector<uint32_t> rest;
  for (uint32_t uid = 12; uid <= 8200; uid += 2) rest.push_back(uid);
  ASSERT_TRUE(a->store(arch, rest, FlagOp::add, Flags{kDeleted, {}}, std::nullopt, nullptr).ok());
  ASSERT_EQ(a->expunge(arch, std::nullopt)->size(), rest.size());
  age();
  EXPECT_EQ(a->snapshot(arch, false)->uid_ranges.size(), 5u);
  auto quick = a->snapshot_from_index(arch, false);
  ASSERT_TRUE(quick && quick->ok());
  EXPECT_EQ((*quick)->uid_ranges.size(), 5u);
}

TEST_F(MaildirTest, SnapshotClaimsRecent) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  append_one(*a, inbox, "a");
  append_one(*a, inbox, "b");
  EXPECT_EQ(a->status("INBOX")->recent, 2u);
  auto ex = *full_snapshot(*a, inbox, false);
  EXPECT_EQ(ex.first_recent_uid, 1u);
  auto s1 = *full_snapshot(*a, inbox, true);
  EXPECT_EQ(s1.first_recent_uid, 1u);  // this session sees both as \Recent
  auto s2 = *full_snapshot(*a, inbox, true);
  EXPECT_EQ(s2.first_recent_uid, 3u);  // the next one does not
  EXPECT_EQ(a->status("INBOX")->recent, 0u);
  append_one(*a, inbox, "c");
  EXPECT_EQ(a->status("INBOX")->recent, 1u);
  EXPECT_EQ(a->snapshot(inbox, true)->first_recent_uid, 3u);
}

// SELECT reads the UIDs, the first unseen message and the keyword list from
// the per-mailbox bitmaps and record: every change must keep them right.
TEST_F(MaildirTest, SnapshotTracksUidsUnseenAndKeywords) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX"), arch = id(*a, "Archive");
  uint32_t u1 = append_one(*a, inbox, "a", Flags{kSeen, {}});
  uint32_t u2 = append_one(*a, inbox, "b");
  uint32_t u3 = append_one(*a, inbox, "c", Flags{0, {"$Label1"}});
  auto s = *full_snapshot(*a, inbox);
  EXPECT_EQ(s.uids, (std::vector<uint32_t>{u1, u2, u3}));
  EXPECT_EQ(s.first_unseen_uid, u2);
  EXPECT_EQ(s.keywords, std::vector<std::string>{"$Label1"});
  std::vector<uint32_t> two{u2};
  ASSERT_TRUE(a->store(inbox, two, FlagOp::add, Flags{kSeen | kDeleted, {"Work"}}, std::nullopt, nullptr).ok());
  s = *full_snapshot(*a, inbox);
  EXPECT_EQ(s.first_unseen_uid, u3);
  EXPECT_EQ(s.keywords, (std::vector<std::string>{"$Label1", "Work"}));
  ASSERT_TRUE(a->expunge(inbox, std::nullopt).ok());
  EXPECT_EQ(a->snapshot(inbox, false)->uid_ranges, (std::vector<UidRange>{{u1, u1}, {u3, u3}}));
  std::vector<uint32_t> three{u3};
  ASSERT_TRUE(a->copy(inbox, three, arch, true).ok());
  s = *full_snapshot(*a, inbox);
  EXPECT_EQ(s.uids, std::vector<uint32_t>{u1});
  EXPECT_EQ(s.first_unseen_uid, 0u);
  auto as = *full_snapshot(*a, arch);
  ASSERT_EQ(as.uids.size(), 1u);
  EXPECT_EQ(as.first_unseen_uid, as.uids[0]);
  EXPECT_EQ(as.keywords, std::vector<std::string>{"$Label1"});
  // Across chunk boundaries (4096 UIDs per chunk) and after a file dropped in.
  std::vector<uint32_t> many;
  for (int i = 0; i < 5000; ++i) many.push_back(append_one(*a, arch, "m", Flags{kSeen, {}}));
  write_file(maildir() / ".Archive" / "new" / "dropped.1.host", "x");
  as = *full_snapshot(*a, arch);
  ASSERT_EQ(as.uids.size(), 5002u);
  EXPECT_EQ(as.uids[4000], many[3999]);
  EXPECT_TRUE(std::is_sorted(as.uids.begin(), as.uids.end()));
  EXPECT_EQ(as.first_unseen_uid, as.uids[0]);
  std::vector<uint32_t> first{as.uids[0]};
  ASSERT_TRUE(a->store(arch, first, FlagOp::add, Flags{kSeen, {}}, std::nullopt, nullptr).ok());
  EXPECT_EQ(a->snapshot(arch, false)->first_unseen_uid, as.uids.back());  // the dropped file
  EXPECT_TRUE(check_index(settings(), user_)->empty());
}

// An index written by version 1 (no bitmaps, no keyword lists) is upgraded
// in place at open, keeping UIDs, flags and keywords.
TEST_F(MaildirTest, Version1IndexIsUpgradedInPlace) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  uint32_t u1 = append_one(*a, inbox, "a", Flags{kSeen, {"Todo"}});
  uint32_t u2 = append_one(*a, inbox, "b");
  close(a);
  store_.reset();
  {
    int rc = 0;
    auto env = index::Env::open(index_dir(), false, &rc);
    ASSERT_TRUE(env.ok());
    auto txn = index::Txn::begin(**env, true);
    ASSERT_TRUE(txn.ok());
    uint32_t one = 1;
    ASSERT_TRUE(txn->put(txn->dbi().meta, "version", std::string_view(reinterpret_cast<char*>(&one), 4)).ok());
    ASSERT_EQ(mdb_drop(txn->raw(), txn->dbi().present, 0), 0);
    ASSERT_EQ(mdb_drop(txn->raw(), txn->dbi().unseen, 0), 0);
    ASSERT_TRUE(txn->commit().ok());
  }
  a = open();
  ASSERT_EQ(repairs_.size(), 1u);
  EXPECT_NE(repairs_[0].find("version 1"), std::string::npos);
  auto s = *full_snapshot(*a, inbox);
  EXPECT_EQ(s.uids, (std::vector<uint32_t>{u1, u2}));
  EXPECT_EQ(s.first_unseen_uid, u2);
  EXPECT_EQ(s.keywords, std::vector<std::string>{"Todo"});
  EXPECT_EQ(s.messages[0].flags, (Flags{kSeen, {"Todo"}}));
  EXPECT_TRUE(check_index(settings(), user_)->empty());
}

// make_cache's blob and extras are kept at APPEND, carried by COPY, MOVE
// and RENAME of INBOX, made on first request for files dropped in, and
// dropped with their message.
TEST_F(MaildirTest, CacheBlobsAndExtras) {
  StoreSettings st = settings();
  st.make_cache = [](std::string_view msg) {
    return CacheEntry{"blob:" + std::string(msg), {{'T', "t:" + std::to_string(msg.size())}, {'E', "e"}}};
  };
  st.cache_extra_tags = "TE";
  store_ = make_maildir_store(st);
  auto a = *store_->open(user_);
  MailboxId inbox = id(*a, "INBOX"), arch = id(*a, "Archive");
  uint32_t u1 = append_one(*a, inbox, "one");
  uint32_t u2 = append_one(*a, inbox, "two!");
  std::vector<uint32_t> both{u1, u2};
  EXPECT_EQ(*a->caches(inbox, both), (std::vector<std::string>{"blob:one", "blob:two!"}));
  auto projected = *a->caches(inbox, both, [](std::string_view b) { return std::string(b.substr(0, 4)); });
  EXPECT_EQ(projected, (std::vector<std::string>{"blob", "blob"}));
  EXPECT_EQ(*a->cache_extras(inbox, 'T', both), (std::vector<std::optional<std::string>>{"t:3", "t:4"}));
  EXPECT_EQ((*a->cache_extras(inbox, 'x', both))[0], std::nullopt);
  // COPY and MOVE carry them.
  std::vector<uint32_t> one{u1};
  auto c = *a->copy(inbox, one, arch, false);
  EXPECT_EQ((*a->cache_extras(arch, 'T', c.dest_uids))[0], "t:3");
  std::vector<uint32_t> two{u2};
  auto m = *a->copy(inbox, two, arch, true);
  EXPECT_EQ((*a->cache_extras(arch, 'E', m.dest_uids))[0], "e");
  EXPECT_EQ((*a->caches(arch, m.dest_uids))[0], "blob:two!");
  EXPECT_EQ((*a->cache_extras(inbox, 'T', two))[0], std::nullopt);  // gone with the message
  // A file dropped in: made on first request, extras included.
  write_file(maildir() / "new" / "dropped.1.host", "dropped");
  auto snap = *full_snapshot(*a, inbox);
  uint32_t dropped = snap.uids.back();
  std::vector<uint32_t> d{dropped};
  EXPECT_EQ((*a->cache_extras(inbox, 'T', d))[0], std::nullopt);
  EXPECT_EQ((*a->caches(inbox, d))[0], "blob:dropped");
  EXPECT_EQ((*a->cache_extras(inbox, 'T', d))[0], "t:7");
  // RENAME of INBOX moves the messages, caches included.
  ASSERT_TRUE(a->rename("INBOX", "Old").ok());
  MailboxId old = id(*a, "Old");
  EXPECT_EQ(*a->cache_extras(old, 'T', std::vector<uint32_t>{u1, dropped}),
            (std::vector<std::optional<std::string>>{"t:3", "t:7"}));
  // EXPUNGE drops them.
  ASSERT_TRUE(a->store(old, std::vector<uint32_t>{u1}, FlagOp::add, Flags{kDeleted, {}}, std::nullopt, nullptr).ok());
  ASSERT_TRUE(a->expunge(old, std::nullopt).ok());
  EXPECT_EQ((*a->cache_extras(old, 'T', std::vector<uint32_t>{u1}))[0], std::nullopt);
  close(a);
}

TEST_F(MaildirTest, StatusCounts) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  append_one(*a, inbox, "12345", Flags{kSeen, {}});
  append_one(*a, inbox, "123", Flags{kDeleted, {}});
  append_one(*a, inbox, "1");
  auto st = *a->status("INBOX");
  EXPECT_EQ(st.messages, 3u);
  EXPECT_EQ(st.unseen, 2u);
  EXPECT_EQ(st.deleted, 1u);
  EXPECT_EQ(st.size, 9u);
  EXPECT_EQ(st.uidnext, 4u);
  EXPECT_EQ(st.recent, 3u);
  EXPECT_GT(st.highest_modseq, 1u);
  EXPECT_EQ(a->status("Nope").code(), Errc::not_found);
}

TEST_F(MaildirTest, MessagesOnSparseUidList) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  std::vector<NewMessage> v;
  for (int i = 0; i < 300; ++i) v.push_back(make_message(*a, std::to_string(i)));
  ASSERT_TRUE(a->append(inbox, std::move(v)).ok());
  std::vector<uint32_t> want{300, 1, 2, 3, 50, 51, 250, 299, 1000, 0};
  auto got = *a->messages(inbox, want);
  std::vector<uint32_t> ids;
  for (auto& m : got) ids.push_back(m.uid);
  EXPECT_EQ(ids, (std::vector<uint32_t>{1, 2, 3, 50, 51, 250, 299, 300}));
  EXPECT_EQ(got[4].size, 2u);  // "50"
}

// STORE answers before the ":2," letters change; until the renamer has run,
// every path still finds the file and no scan mistakes the old letters for
// another program's change.
TEST_F(MaildirTest, FileNamesLaggingTheIndexAreFoundAndCaughtUp) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX"), arch = id(*a, "Archive");
  std::vector<uint32_t> all;
  for (int i = 0; i < 20; ++i) all.push_back(append_one(*a, inbox, "m" + std::to_string(i)));
  // The renamer may or may not have caught up at each step below: every
  // check must hold either way.
  ASSERT_TRUE(a->store(inbox, all, FlagOp::add, Flags{kSeen | kDeleted, {}}, std::nullopt, nullptr).ok());
  std::vector<uint32_t> some(all.begin(), all.begin() + 5);
  ASSERT_TRUE(a->store(inbox, some, FlagOp::remove, Flags{kDeleted, {}}, std::nullopt, nullptr).ok());
  EXPECT_EQ(read_all(*a, inbox, all[0]), "m0");
  EXPECT_EQ(read_all(*a, inbox, all[19]), "m19");
  // Another program touches cur/: the scan must keep our flags.
  write_file(maildir() / "cur" / "other.1.host:2,S", "o");
  auto s = *full_snapshot(*a, inbox);
  ASSERT_EQ(s.messages.size(), 21u);
  EXPECT_EQ(s.messages[0].flags.system, kSeen);
  EXPECT_EQ(s.messages[19].flags.system, kSeen | kDeleted);
  std::vector<uint32_t> two{all[1]};
  ASSERT_TRUE(a->copy(inbox, two, arch, false).ok());
  auto gone = *a->expunge(inbox, std::nullopt);
  EXPECT_EQ(gone.size(), 15u);
  ASSERT_TRUE(settle_file_names(*a).ok());
  size_t seen = 0;
  for (auto& f : files(maildir() / "cur")) {
    auto fn = maildir::parse_file_name(f);
    seen += fn.flags == kSeen;
    EXPECT_FALSE(fn.flags & kDeleted) << f;  // expunged files are gone, whatever their name was
  }
  EXPECT_EQ(seen, 6u);  // five kept and the other program's
  EXPECT_TRUE(check_index(settings(), user_)->empty());
}

TEST_F(MaildirTest, ServesExistingDovecotMaildir) {
  fs::path md = maildir();
  write_file(md / "cur" / "1700000000.M1P1.host,S=5,W=6:2,FS", "a\nbc\n");
  write_file(md / "cur" / "1700000001.M2P1.host:2,", "hello");
  write_file(md / "new" / "1700000002.M3P1.host", "fresh");
  write_file(md / "dovecot-uidlist",
             "3 V12345 N10 Gabc\n5 :1700000000.M1P1.host,S=5,W=6:2,FS\n7 W5 :1700000001.M2P1.host:2,\n");
  write_file(md / ".Sent" / "cur" / "1699999999.M9P9.host:2,S", "sent!");
  write_file(md / ".Sent" / "maildirfolder", "");
  write_file(md / ".Work.Project" / "cur" / "1.M1P1.h:2,RS", "w");
  write_file(md / "subscriptions", "V\t2\n\nSent\nWork\tProject\nGone\n");
  write_file(md / ".Work.Project" / "dovecot-keywords", "0 $Important\n1 Todo\n");
  write_file(md / ".Work.Project" / "cur" / "2.M2P2.h:2,Sab", "kw");
  auto a = open();
  EXPECT_TRUE(repairs_.size() <= 1);
  MailboxId inbox = id(*a, "INBOX");
  auto snap = *full_snapshot(*a, inbox, false);
  EXPECT_EQ(snap.uidvalidity, 12345u);
  ASSERT_EQ(snap.messages.size(), 3u);
  EXPECT_EQ(snap.messages[0].uid, 5u);
  EXPECT_EQ(snap.messages[0].flags.system, kFlagged | kSeen);
  EXPECT_EQ(snap.messages[1].uid, 7u);
  EXPECT_EQ(snap.messages[2].uid, 10u);  // the new/ file, after Dovecot's next UID
  EXPECT_EQ(snap.uidnext, 11u);
  EXPECT_EQ(read_all(*a, inbox, 10), "fresh");
  EXPECT_EQ(read_all(*a, inbox, 5), "a\nbc\n");
  EXPECT_TRUE(files(md / "new").empty());
  MailboxId sent = id(*a, "Sent");
  auto ss = *full_snapshot(*a, sent, false);
  ASSERT_EQ(ss.messages.size(), 1u);
  EXPECT_EQ(ss.messages[0].uid, 1u);
  EXPECT_EQ(ss.messages[0].flags.system, kSeen);
  MailboxId work = id(*a, "Work/Project");
  auto ws = *full_snapshot(*a, work, false);
  ASSERT_EQ(ws.messages.size(), 2u);
  EXPECT_EQ(ws.messages[0].flags.system, kAnswered | kSeen);
  EXPECT_EQ(ws.messages[1].flags, (Flags{kSeen, {"$Important", "Todo"}}));
  std::map<std::string, MailboxInfo> by;
  for (auto& i : listed(*a)) by[i.name] = i;
  EXPECT_TRUE(by["Sent"].subscribed);
  EXPECT_TRUE(by["Work/Project"].subscribed);
  EXPECT_TRUE(by["Gone"].subscribed && !by["Gone"].exists);
  EXPECT_FALSE(by.count("Drafts"));  // an imported Maildir keeps its own folders
  EXPECT_TRUE(check_index(settings(), user_)->empty());
}

TEST_F(MaildirTest, FilesDroppedIntoNewAndCurArePickedUp) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  append_one(*a, inbox, "mine");
  (void)a->snapshot(inbox, true);
  write_file(maildir() / "new" / "1800000000.M1P1.procmail", "dropped");
  write_file(maildir() / "cur" / "1800000001.M1P1.mutt:2,S", "restored");
  auto snap = *full_snapshot(*a, inbox, false);
  ASSERT_EQ(snap.messages.size(), 3u);
  EXPECT_EQ(snap.messages[1].uid, 2u);
  EXPECT_EQ(snap.messages[2].uid, 3u);
  EXPECT_EQ(read_all(*a, inbox, 2), "dropped");
  EXPECT_EQ(read_all(*a, inbox, 3), "restored");
  EXPECT_EQ(snap.messages[2].flags.system, kSeen);
  EXPECT_EQ(snap.first_recent_uid, 2u);
  EXPECT_TRUE(files(maildir() / "new").empty());
  for (auto& f : files(maildir() / "cur")) EXPECT_TRUE(maildir::parse_file_name(f).uid) << f;
  // changes_since notices drops too.
  uint64_t hm = snap.highest_modseq;
  write_file(maildir() / "new" / "1800000002.M1P1.x", "later");
  auto ch = *a->changes_since(inbox, hm);
  ASSERT_EQ(ch.updated.size(), 1u);
  EXPECT_EQ(ch.updated[0].uid, 4u);
}

TEST_F(MaildirTest, CrashAfterRenameBeforeCommitIsAdopted) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  append_one(*a, inbox, "one");
  close(a);
  // What a crash between the rename into cur/ and the commit leaves.
  write_file(maildir() / "cur" / "1800000000.M5P5Q1.host,S=5,U=7:2,S", "seven");
  a = open();
  auto snap = *full_snapshot(*a, inbox, false);
  ASSERT_EQ(snap.messages.size(), 2u);
  EXPECT_EQ(snap.messages[1].uid, 7u);
  EXPECT_EQ(snap.messages[1].flags.system, kSeen);
  EXPECT_EQ(snap.uidnext, 8u);
  EXPECT_EQ(read_all(*a, inbox, 7), "seven");
  EXPECT_EQ(append_one(*a, inbox, "next"), 8u);
}

// mutt (or a cleanup script) deletes a file: its message is expunged from the
// index, and sessions are told. A file that turns up again under that UID is
// adopted with a fresh one, never deleted.
TEST_F(MaildirTest, FilesDeletedByAnotherProgramAreExpunged) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  uint32_t u1 = append_one(*a, inbox, "one");
  uint32_t u2 = append_one(*a, inbox, "two", Flags{kSeen, {}});
  uint32_t u3 = append_one(*a, inbox, "three");
  ASSERT_TRUE(settle_file_names(*a).ok());
  auto before = *full_snapshot(*a, inbox, false);
  std::string name2;
  for (auto& f : files(maildir() / "cur"))
    if (maildir::parse_file_name(f).uid == u2) name2 = f;
  ASSERT_FALSE(name2.empty());
  ASSERT_TRUE(fs::remove(maildir() / "cur" / name2));
  auto ch = *a->changes_since(inbox, before.highest_modseq);
  EXPECT_EQ(ch.expunged, std::vector<uint32_t>{u2});
  EXPECT_EQ(uids(*a, inbox), (std::vector<uint32_t>{u1, u3}));
  auto st = *a->status("INBOX");
  EXPECT_EQ(st.messages, 2u);
  EXPECT_EQ(st.unseen, 2u);
  EXPECT_EQ(a->quota()->messages_used, 2u);
  EXPECT_EQ(read_all(*a, inbox, u3), "three");
  // Moved from cur/ to new/ by another program: not gone.
  std::string name3;
  for (auto& f : files(maildir() / "cur"))
    if (maildir::parse_file_name(f).uid == u3) name3 = f;
  fs::rename(maildir() / "cur" / name3, maildir() / "new" / name3);
  EXPECT_EQ(uids(*a, inbox), (std::vector<uint32_t>{u1, u3}));
  EXPECT_EQ(read_all(*a, inbox, u3), "three");
  // The deleted file comes back (restored from a backup): adopted, new UID.
  write_file(maildir() / "cur" / name2, "two");
  auto now = uids(*a, inbox);
  ASSERT_EQ(now.size(), 3u);
  EXPECT_EQ(now[2], u3 + 1);
  EXPECT_EQ(read_all(*a, inbox, u3 + 1), "two");
  EXPECT_EQ(files(maildir() / "cur").size(), 3u);
  EXPECT_TRUE(check_index(settings(), user_)->empty());
  // Deleted again, restored again, and this time the index is rebuilt before
  // any scan: still a fresh UID, never the one clients were told is gone.
  uint32_t u4 = u3 + 1;
  std::string name4;
  for (auto& f : files(maildir() / "cur"))
    if (maildir::parse_file_name(f).uid == u4) name4 = f;
  ASSERT_TRUE(fs::remove(maildir() / "cur" / name4));
  EXPECT_EQ(uids(*a, inbox), (std::vector<uint32_t>{u1, u3}));
  close(a);
  write_file(maildir() / "cur" / name4, "two");
  ASSERT_TRUE(rebuild_index(settings(), user_).ok());
  a = open();
  inbox = id(*a, "INBOX");
  now = uids(*a, inbox);
  ASSERT_EQ(now.size(), 3u);
  EXPECT_EQ(now[0], u1);
  EXPECT_EQ(now[1], u3);
  EXPECT_GT(now[2], u4);
  EXPECT_EQ(read_all(*a, inbox, now[2]), "two");
}

// The newest message deleted by another program: its UID is not handed out
// again, even by an index rebuilt from the Maildir.
TEST_F(MaildirTest, NewestFileDeletedByAnotherProgramKeepsItsUidUsed) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  append_one(*a, inbox, "one");
  uint32_t u2 = append_one(*a, inbox, "two");
  ASSERT_TRUE(settle_file_names(*a).ok());
  for (auto& f : files(maildir() / "cur"))
    if (maildir::parse_file_name(f).uid == u2) {
      ASSERT_TRUE(fs::remove(maildir() / "cur" / f));
    }
  EXPECT_EQ(uids(*a, inbox).size(), 1u);
  close(a);
  fs::remove_all(index_dir());
  a = open();
  EXPECT_EQ(append_one(*a, id(*a, "INBOX"), "three"), u2 + 1);
}

TEST_F(MaildirTest, FlagsChangedInFileNamesArePickedUp) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  append_one(*a, inbox, "x");
  append_one(*a, inbox, "y");
  (void)a->store(inbox, std::vector<uint32_t>{1}, FlagOp::add, Flags{kSeen, {"$kw"}}, std::nullopt, nullptr);
  ASSERT_TRUE(settle_file_names(*a).ok());
  auto snap = *full_snapshot(*a, inbox, false);
  std::string name;
  for (auto& f : files(maildir() / "cur"))
    if (maildir::parse_file_name(f).uid == 1u) name = f;
  ASSERT_TRUE(name.ends_with(":2,S")) << name;
  // mutt marks it unread and flagged.
  std::string renamed = name.substr(0, name.size() - 1) + "F";
  fs::rename(maildir() / "cur" / name, maildir() / "cur" / renamed);
  auto ch = *a->changes_since(inbox, snap.highest_modseq);
  ASSERT_EQ(ch.updated.size(), 1u);
  EXPECT_EQ(ch.updated[0].uid, 1u);
  EXPECT_EQ(ch.updated[0].flags, (Flags{kFlagged, {"$kw"}}));
  EXPECT_EQ(a->status("INBOX")->unseen, 2u);
  EXPECT_EQ(read_all(*a, inbox, 1), "x");
  EXPECT_TRUE(check_index(settings(), user_)->empty());
}

TEST_F(MaildirTest, FolderRenamedBehindTheIndexIsFoundAtOpen) {
  auto a = open();
  MailboxId sent = id(*a, "Sent");
  uint32_t uv = a->snapshot(sent, false)->uidvalidity;
  append_one(*a, sent, "s1", Flags{kSeen, {}});
  close(a);
  // A crash after the folder rename and before the index commit.
  fs::rename(maildir() / ".Sent", maildir() / ".Sent Items");
  a = open();
  ASSERT_EQ(repairs_.size(), 1u);
  EXPECT_EQ(a->lookup("Sent").code(), Errc::not_found);
  MailboxId items = id(*a, "Sent Items");
  auto snap = *full_snapshot(*a, items, false);
  EXPECT_EQ(snap.uidvalidity, uv);
  ASSERT_EQ(snap.messages.size(), 1u);
  EXPECT_EQ(read_all(*a, items, snap.messages[0].uid), "s1");
  EXPECT_TRUE(check_index(settings(), user_)->empty());
}

TEST_F(MaildirTest, ExpungedFileLeftBehindIsRemoved) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  append_one(*a, inbox, "keep");
  append_one(*a, inbox, "gone", Flags{kDeleted, {}});
  std::string name;
  for (auto& f : files(maildir() / "cur"))
    if (maildir::parse_file_name(f).uid == 2u) name = f;
  ASSERT_TRUE(a->expunge(inbox, std::nullopt).ok());
  // A crash between the commit and the unlink.
  write_file(maildir() / "cur" / name, "gone");
  EXPECT_EQ(uids(*a, inbox), (std::vector<uint32_t>{1}));
  EXPECT_FALSE(fs::exists(maildir() / "cur" / name));
}

TEST_F(MaildirTest, DeletedIndexIsRebuiltKeepingUids) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  MailboxId sent = id(*a, "Sent");
  uint32_t uv = a->snapshot(inbox, false)->uidvalidity;
  uint32_t uv_sent = a->snapshot(sent, false)->uidvalidity;
  for (int i = 0; i < 5; ++i) append_one(*a, inbox, "m" + std::to_string(i));
  append_one(*a, sent, "s");
  (void)a->store(inbox, std::vector<uint32_t>{2, 4}, FlagOp::add, Flags{kSeen | kFlagged, {}}, std::nullopt, nullptr);
  ASSERT_TRUE(a->expunge(inbox, std::nullopt).ok());
  (void)a->store(inbox, std::vector<uint32_t>{1}, FlagOp::add, Flags{kDeleted, {}}, std::nullopt, nullptr);
  ASSERT_TRUE(a->expunge(inbox, std::nullopt).ok());
  append_one(*a, inbox, "newest, expunged", Flags{kDeleted, {}});  // UID 6
  ASSERT_EQ(*a->expunge(inbox, std::nullopt), (std::vector<uint32_t>{6}));
  ASSERT_TRUE(a->subscribe("Sent", false).ok());
  ASSERT_TRUE(a->subscribe("Ghost", true).ok());
  uint64_t hm = a->snapshot(inbox, false)->highest_modseq;
  close(a);
  fs::remove_all(index_dir());
  a = open();
  ASSERT_FALSE(repairs_.empty());
  inbox = id(*a, "INBOX");
  auto snap = *full_snapshot(*a, inbox, false);
  EXPECT_EQ(snap.uidvalidity, uv);
  EXPECT_EQ(a->snapshot(id(*a, "Sent"), false)->uidvalidity, uv_sent);
  std::vector<uint32_t> got;
  for (auto& m : snap.messages) got.push_back(m.uid);
  EXPECT_EQ(got, (std::vector<uint32_t>{2, 3, 4, 5}));
  EXPECT_EQ(snap.messages[0].flags.system, kSeen | kFlagged);
  EXPECT_EQ(snap.messages[1].flags.system, 0);
  EXPECT_GT(snap.highest_modseq, hm);  // modseqs never go backwards
  EXPECT_EQ(read_all(*a, inbox, 4), "m3");
  std::map<std::string, MailboxInfo> by;
  for (auto& i : listed(*a)) by[i.name] = i;
  EXPECT_EQ(by["Sent"].special_use, kSent);
  EXPECT_FALSE(by["Sent"].subscribed);
  EXPECT_TRUE(by["Drafts"].subscribed);
  EXPECT_TRUE(by["Ghost"].subscribed && !by["Ghost"].exists);
  EXPECT_EQ(append_one(*a, inbox, "after"), 7u);  // 6 was expunged: never again
}

TEST_F(MaildirTest, CorruptIndexIsMovedAsideAndRebuilt) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  uint32_t uv = a->snapshot(inbox, false)->uidvalidity;
  append_one(*a, inbox, "x", Flags{kAnswered, {}});
  append_one(*a, inbox, "y");
  close(a);
  {
    std::ofstream f(index_dir() / "data.mdb", std::ios::binary | std::ios::trunc);
    std::string garbage(20000, '\0');
    for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = char((i * 7919) & 0xff);
    f << garbage;
  }
  a = open();
  ASSERT_TRUE(a);
  ASSERT_EQ(repairs_.size(), 1u) << (repairs_.empty() ? "" : repairs_[0]);
  inbox = id(*a, "INBOX");
  auto snap = *full_snapshot(*a, inbox, false);
  EXPECT_EQ(snap.uidvalidity, uv);
  ASSERT_EQ(snap.messages.size(), 2u);
  EXPECT_EQ(snap.messages[0].flags.system, kAnswered);
  bool aside = false;
  for (auto& f : files(maildir().parent_path())) aside |= f.starts_with("index.broken-");
  EXPECT_TRUE(aside);
}

TEST_F(MaildirTest, RebuildIndexWhileOpenKeepsKeywords) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  append_one(*a, inbox, "x", Flags{kSeen, {"$Important", "todo"}});
  uint32_t uv = a->snapshot(inbox, false)->uidvalidity;
  uint64_t hm = a->snapshot(inbox, false)->highest_modseq;
  ASSERT_TRUE(rebuild_index(settings(), user_).ok());
  auto snap = *full_snapshot(*a, inbox, false);
  EXPECT_EQ(snap.uidvalidity, uv);
  ASSERT_EQ(snap.messages.size(), 1u);
  EXPECT_EQ(snap.messages[0].flags, (Flags{kSeen, {"$Important", "todo"}}));
  EXPECT_GT(snap.highest_modseq, hm);
  bool old = false;
  for (auto& f : files(maildir().parent_path())) old |= f.starts_with("index.old-");
  EXPECT_TRUE(old);
  EXPECT_EQ(maildir_counters(*a)->rebuilds, 2u);  // the first build, and this one
}

TEST_F(MaildirTest, CheckIndexFindsDisagreements) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  for (int i = 0; i < 3; ++i) append_one(*a, inbox, "m" + std::to_string(i));
  EXPECT_TRUE(check_index(settings(), user_)->empty());
  auto cur = files(maildir() / "cur");
  fs::remove(maildir() / "cur" / cur[0]);                                     // missing file
  fs::rename(maildir() / "cur" / cur[1], maildir() / "cur" / (cur[1] + "S"));  // flag mismatch
  write_file(maildir() / "cur" / "stray:2,", "?");                            // unknown file
  fs::create_directories(maildir() / ".Unknown" / "cur");                      // unknown folder
  auto problems = *check_index(settings(), user_);
  EXPECT_EQ(problems.size(), 4u);
  std::string all;
  for (auto& p : problems) all += p + "\n";
  EXPECT_NE(all.find("missing file"), std::string::npos) << all;
  EXPECT_NE(all.find("flags in index"), std::string::npos) << all;
  EXPECT_NE(all.find("unknown file cur/stray"), std::string::npos) << all;
  EXPECT_NE(all.find("unknown folder .Unknown"), std::string::npos) << all;
}

TEST_F(MaildirTest, ConcurrentAppendsShareCommits) {
  auto a = open(/*fsync=*/true);
  MailboxId inbox = id(*a, "INBOX");
  MailboxId sent = id(*a, "Sent");
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::vector<uint32_t>> got(kThreads);
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::vector<NewMessage> v;
        v.push_back(make_message(*a, "t" + std::to_string(t) + "-" + std::to_string(i)));
        auto r = a->append(t == 0 ? sent : inbox, std::move(v));
        ASSERT_TRUE(r.ok());
        got[t].push_back(r->uids[0]);
      }
    });
  for (auto& t : ts) t.join();
  std::set<uint32_t> all;
  for (int t = 1; t < kThreads; ++t) all.insert(got[t].begin(), got[t].end());
  EXPECT_EQ(all.size(), size_t((kThreads - 1) * kEach));
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), uint32_t((kThreads - 1) * kEach));  // dense
  EXPECT_EQ(got[0].back(), uint32_t(kEach));
  EXPECT_EQ(read_all(*a, inbox, got[3][7]), "t3-7");
  auto c = *maildir_counters(*a);
  EXPECT_EQ(c.appended, uint64_t(kThreads * kEach));
  EXPECT_LT(c.append_batches, uint64_t(kThreads * kEach));  // fsyncs were shared
  std::cout << "[ info ] " << c.appended << " appends in " << c.append_batches << " commits\n";
}

TEST_F(MaildirTest, WatchCallbacksFire) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX"), sent = id(*a, "Sent");
  std::atomic<int> woke{0}, woke_sent{0};
  auto w = a->watch(inbox, [&] { woke++; });
  auto w2 = a->watch(sent, [&] { woke_sent++; });
  append_one(*a, inbox, "x");
  EXPECT_EQ(woke.load(), 1);
  (void)a->store(inbox, std::vector<uint32_t>{1}, FlagOp::add, Flags{kDeleted, {}}, std::nullopt, nullptr);
  (void)a->expunge(inbox, std::nullopt);
  EXPECT_EQ(woke.load(), 3);
  EXPECT_EQ(woke_sent.load(), 0);
  // The callback may call back into the account (no lock held).
  auto w3 = a->watch(inbox, [&] { (void)a->status("INBOX"); });
  w.reset();
  append_one(*a, inbox, "y");
  EXPECT_EQ(woke.load(), 3);
}

}  // namespace
}  // namespace courriel::store
