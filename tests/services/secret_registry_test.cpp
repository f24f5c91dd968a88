#include <gtest/gtest.h>

#include "services/secret_registry.hpp"

using pipehost::services::SecretRegistry;

TEST(SecretRegistry, RedactsEveryOccurrenceAndTheEncodedForm) {
  SecretRegistry secrets;
  secrets.add("sk-live/abc+123");
  EXPECT_EQ(secrets.redact("key sk-live/abc+123 and again sk-live/abc+123"), "key [REDACTED] and again [REDACTED]");
  EXPECT_EQ(secrets.redact("url ?key=sk-live%2Fabc%2B123&x=1"), "url ?key=[REDACTED]&x=1");
  EXPECT_EQ(secrets.redact("nothing here"), "nothing here");
}

TEST(SecretRegistry, IgnoresValuesTooShortToBeKeys) {
  SecretRegistry secrets;
  secrets.add("ab");
  EXPECT_EQ(secrets.redact("about ab"), "about ab");
}

TEST(SecretRegistry, CutsTheLongerSecretWhole) {
  SecretRegistry secrets;
  secrets.add("abcd");
  secrets.add("abcdefgh");
  EXPECT_EQ(secrets.redact("abcdefgh"), "[REDACTED]");
}
