#include "managesieve/script_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace courriel::managesieve {
namespace {
namespace fs = std::filesystem;

class ScriptStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = fs::temp_directory_path() / ("msieve-test-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(data_);
  }
  void TearDown() override { fs::remove_all(data_); }
  fs::path data_;
};

TEST_F(ScriptStoreTest, PutListGetActivate) {
  ScriptStore st(ScriptStore::dir_for(data_, "bob@example.org"));
  EXPECT_EQ(st.dir(), data_ / "example.org" / "bob" / "sieve");
  ASSERT_TRUE(st.list());
  EXPECT_TRUE(st.list()->empty());
  ASSERT_TRUE(st.put("vacation", "keep;\r\n"));
  ASSERT_TRUE(st.put("b", "discard;\n"));
  auto list = st.list();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "b");
  EXPECT_FALSE((*list)[0].active);
  EXPECT_EQ(*st.get("vacation"), "keep;\r\n");
  EXPECT_FALSE(active_script(data_, "bob@example.org"));
  ASSERT_TRUE(st.set_active("vacation"));
  EXPECT_TRUE((*st.list())[1].active);
  EXPECT_EQ(*active_script(data_, "bob@example.org"), "keep;\r\n");
  EXPECT_EQ(st.remove("vacation").code(), Errc::permission_denied);
  ASSERT_TRUE(st.rename("vacation", "v2"));
  EXPECT_EQ(*st.active_name(), "v2");
  EXPECT_EQ(st.rename("v2", "b").code(), Errc::already_exists);
  EXPECT_EQ(st.rename("nope", "c").code(), Errc::not_found);
  ASSERT_TRUE(st.set_active(""));
  EXPECT_EQ(*st.active_name(), "");
  EXPECT_TRUE(st.remove("v2"));
  EXPECT_EQ(st.get("v2").code(), Errc::not_found);
  EXPECT_EQ(st.set_active("v2").code(), Errc::not_found);
}

TEST_F(ScriptStoreTest, InvalidScriptReportsTheLine) {
  ScriptStore st(data_ / "sieve");
  Status s = st.put("bad", "keep;\nfrobnicate;\n");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.code(), Errc::invalid);
  EXPECT_TRUE(s.error().detail.starts_with("line 2:")) << s.error().detail;
  EXPECT_FALSE(fs::exists(data_ / "sieve" / "bad.sieve"));
}

TEST_F(ScriptStoreTest, NamesAndLimits) {
  EXPECT_FALSE(validate_script_name(""));
  EXPECT_FALSE(validate_script_name("a/b"));
  EXPECT_FALSE(validate_script_name("a\nb"));
  EXPECT_FALSE(validate_script_name(".."));
  EXPECT_FALSE(validate_script_name(std::string(129, 'a')));
  EXPECT_FALSE(validate_script_name("\xff"));
  EXPECT_TRUE(validate_script_name("Règles été"));
  ScriptStore st(data_ / "sieve", ScriptLimits{.max_script_size = 10, .max_scripts = 1});
  EXPECT_EQ(st.have_space("a", 11).code(), Errc::too_big);
  ASSERT_TRUE(st.put("a", "keep;"));
  EXPECT_TRUE(st.have_space("a", 10));  // replacing
  EXPECT_EQ(st.have_space("b", 5).code(), Errc::over_quota);
  EXPECT_EQ(st.put("b", "keep;").code(), Errc::over_quota);
}

}  // namespace
}  // namespace courriel::managesieve
