// Where TLS verification finds the system's CAs: a hashed CA folder read lazily (instead of parsing
// the whole bundle for every client) must verify exactly like the bundle would — a server whose CA
// is in the folder is trusted, one whose CA is not is refused.
#include <filesystem>
#include <fstream>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "emulator_process.hpp"
#include "net/tls.hpp"
#include "test_host.hpp"

namespace pipehost::net {
namespace {

namespace asio = boost::asio;

/// Copies the PEM certificate `pem_file` into `dir` under its subject-hash name (as c_rehash does).
void add_hashed(const std::string& pem_file, const std::filesystem::path& dir) {
  FILE* file = std::fopen(pem_file.c_str(), "r");
  ASSERT_NE(file, nullptr);
  X509* cert = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  ASSERT_NE(cert, nullptr);
  char name[32];
  std::snprintf(name, sizeof name, "%08lx.0", X509_subject_name_hash(cert));
  X509_free(cert);
  std::filesystem::copy_file(pem_file, dir / name);
}

/// A verified TLS handshake with the emulator, trusting only `trust` (no ca_file); "" when it succeeds.
std::string handshake(const test::EmulatorProcess& emulator, const SystemTrust& trust) {
  std::shared_ptr<asio::ssl::context> context;
  Status made = make_tls_context(HttpClientOptions{}, context, trust);
  if (!made.is_ok()) return made.message();
  auto url = emulator.base_url();  // https://127.0.0.1:PORT
  auto port = url.substr(url.rfind(':') + 1);
  asio::io_context io;
  asio::ssl::stream<asio::ip::tcp::socket> stream(io, *context);
  asio::ip::tcp::resolver resolver(io);
  asio::connect(stream.next_layer(), resolver.resolve("127.0.0.1", port));
  Status configured = configure_tls_session(stream.native_handle(), "127.0.0.1", true);
  if (!configured.is_ok()) return configured.message();
  boost::system::error_code error;
  stream.handshake(asio::ssl::stream_base::client, error);
  if (!error) return "";
  bool permanent = false;
  return describe_handshake_error(stream.native_handle(), error, permanent);
}

TEST(TlsTrust, AHashedCaFolderVerifiesLikeTheBundle) {
  test::EmulatorProcess emulator;
  test::TempDir trusted, untrusted;
  add_hashed(emulator.ca_file(), trusted.path());
  EXPECT_EQ(handshake(emulator, SystemTrust{trusted.path().string()}), "");
  std::string refused = handshake(emulator, SystemTrust{untrusted.path().string()});
  EXPECT_NE(refused.find("certificate"), std::string::npos) << "an unknown CA is refused: " << refused;
}

TEST(TlsTrust, RecognisesHashedFolders) {
  test::TempDir hashed, plain;
  std::ofstream(hashed.path() / "ca-certificates.crt") << "x";
  std::ofstream(hashed.path() / "5e98733a.0") << "x";
  std::ofstream(plain.path() / "ca-certificates.crt") << "x";
  std::ofstream(plain.path() / "5e98733a.r0") << "x";  // a CRL name, not a certificate
  std::ofstream(plain.path() / "5E98733G.0") << "x";   // not lowercase hex
  EXPECT_TRUE(is_hashed_ca_folder(hashed.path().string()));
  EXPECT_FALSE(is_hashed_ca_folder(plain.path().string()));
  EXPECT_FALSE(is_hashed_ca_folder((plain.path() / "missing").string()));
}

}  // namespace
}  // namespace pipehost::net
