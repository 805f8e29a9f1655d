// A throw-away chain registry for tests: a PostgreSQL 15 cluster of its own in a temporary folder
// on a free local port, set up exactly as the chain's IT person does it, with
// installer/registry/rxdesk-registry (CA and certificates, TLS with client certificates, the
// database and its migrations, one role per store). As root (CI) the server runs as the postgres
// user. Stopped and removed at the end; stop()/start() in between cut and restore the link.
#pragma once

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "run_process.h"
#include "temp_dir.h"
#include "workstation/chain.h"

namespace rx::test {

class RegistryCluster {
 public:
  static constexpr const char* kBin = "/usr/lib/postgresql/15/bin";

  // Starts the cluster with `stores` (code, name) added. On failure returns null and says why.
  // `settings` are postgresql.conf lines added after the defaults below (a later line wins), e.g.
  // "shared_buffers = 4GB" for a benchmark sized like a registry server; none for the tests.
  static std::unique_ptr<RegistryCluster> start(
      const std::vector<std::pair<std::string, std::string>>& stores, std::string* why,
      const std::vector<std::string>& settings = {}) {
    auto c = std::unique_ptr<RegistryCluster>(new RegistryCluster());
    if (!c->setUp(stores, settings, why)) return nullptr;
    return c;
  }
  ~RegistryCluster() {
    if (running_)
      runAsServer({std::string(kBin) + "/pg_ctl", "-D", data(), "-m", "immediate", "stop"});
    if (owned_) runProcess({"/bin/chown", "-R", "root:root", dir_.path()});
  }

  int port() const { return port_; }
  std::string certs() const { return dir_.path() + "/certs"; }
  std::string ca() const { return certs() + "/ca.crt"; }
  std::string cert(const std::string& store) const { return certs() + "/" + store + ".crt"; }
  std::string key(const std::string& store) const { return certs() + "/" + store + ".key"; }

  // What `rxdesk-cli chain join` is given for store `store` (its sealed chain key in `sealed`).
  ws::JoinOptions joinOptions(const std::string& store, const std::string& sealed) const {
    ws::JoinOptions o;
    o.host = "localhost";
    o.port = port_;
    o.caFile = ca();
    o.certFile = cert(store);
    o.keyFile = key(store);
    o.sealedKeyFile = sealed;
    return o;
  }

  // The link goes down (the server stops at once) and comes back.
  bool stop() {
    running_ = false;
    return runAsServer(
               {std::string(kBin) + "/pg_ctl", "-D", data(), "-m", "immediate", "-w", "stop"})
               .exitCode == 0;
  }
  bool start() {
    auto r = runAsServer({std::string(kBin) + "/pg_ctl", "-D", data(), "-l",
                          dir_.path() + "/server.log", "-w", "start"});
    running_ = r.exitCode == 0;
    return running_;
  }

  // SQL as the superuser over the server's socket (-tA: bare values).
  ProcessResult sql(const std::string& statement) const {
    return runAsServer({"/usr/bin/psql", "-X", "-tA", "-v", "ON_ERROR_STOP=1", "-d",
                        "rxdesk_registry", "-c", statement});
  }
  // SQL as store `store`, over TLS with `certOf`'s certificate (default: its own).
  ProcessResult sqlAs(const std::string& store, const std::string& statement,
                      std::string certOf = "") const {
    if (certOf.empty()) certOf = store;
    const std::string conn = "host=localhost port=" + std::to_string(port_) +
                             " dbname=rxdesk_registry user=" + store +
                             " sslmode=verify-full sslrootcert=" + ca() +
                             " sslcert=" + cert(certOf) + " sslkey=" + keyCopy(certOf);
    return runProcess(
        {"/usr/bin/psql", "-X", "-tA", "-v", "ON_ERROR_STOP=1", conn, "-c", statement},
        {{"PGCONNECT_TIMEOUT", "5"}});
  }
  // pg_dump of the registry's database, as its IT person would make a backup.
  std::string dump() const {
    return runAsServer({"/usr/bin/pg_dump", "-d", "rxdesk_registry"}).out;
  }
  std::string log() const { return readBytes(dir_.path() + "/server.log"); }
  // libpq wants a client key readable by its user only: as root, a copy owned by root.
  std::string keyCopy(const std::string& store) const {
    if (::geteuid() != 0) return key(store);
    const std::string copy = keys_.file(store + ".key");
    if (!std::filesystem::exists(copy)) {
      std::filesystem::copy_file(key(store), copy);
      std::filesystem::permissions(copy, std::filesystem::perms::owner_read);
    }
    return copy;
  }

 private:
  RegistryCluster() = default;
  std::string data() const { return dir_.path() + "/data"; }

  ProcessResult runAsServer(std::vector<std::string> argv) const {
    if (::geteuid() == 0) argv.insert(argv.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
    return runProcess(argv, {{"PGHOST", dir_.path()},
                             {"PGPORT", std::to_string(port_)},
                             {"PGUSER", "postgres"},
                             {"RXDESK_CERT_DAYS", "30"}});
  }

  static int freePort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
      port = ntohs(a.sin_port);
    ::close(fd);
    return port;
  }

  bool fail(std::string* why, const std::string& step, const ProcessResult& r) {
    if (why) *why = step + " failed (exit " + std::to_string(r.exitCode) + "): " + r.err + r.out;
    return false;
  }

  bool setUp(const std::vector<std::pair<std::string, std::string>>& stores,
             const std::vector<std::string>& settings, std::string* why) {
    port_ = freePort();
    if (::geteuid() == 0) {
      passwd* pw = ::getpwnam("postgres");
      if (!pw) {
        if (why) *why = "no postgres user (install postgresql-15: installer/install-deps.sh)";
        return false;
      }
      if (::chown(dir_.path().c_str(), pw->pw_uid, pw->pw_gid) != 0) return false;
      owned_ = true;
    }
    const std::string script =
        std::string(RXDESK_SOURCE_DIR) + "/installer/registry/rxdesk-registry";
    auto r = runAsServer({std::string(kBin) + "/initdb", "-D", data(), "-U", "postgres", "-A",
                          "trust", "-E", "UTF8", "--locale=C", "--no-sync"});
    if (r.exitCode != 0) return fail(why, "initdb", r);
    {
      std::ofstream conf(data() + "/postgresql.conf", std::ios::app);
      conf << "port = " << port_ << "\nlisten_addresses = 'localhost'\n"
           << "unix_socket_directories = '" << dir_.path()
           << "'\n"
           // fsync off: an immediate stop is not an OS crash, what was committed survives it.
           // synchronous_commit stays on, as at a real registry: a claim is on disk when the
           // store is told it won.
           << "fsync = off\nfull_page_writes = off\n"
           << "shared_buffers = 32MB\nmax_connections = 60\n";
      for (const auto& line : settings) conf << line << "\n";
    }
    r = runAsServer({"/bin/bash", script, "ca", certs(), "localhost"});
    if (r.exitCode != 0) return fail(why, "rxdesk-registry ca", r);
    r = runAsServer({"/bin/bash", script, "configure", data(), certs()});
    if (r.exitCode != 0) return fail(why, "rxdesk-registry configure", r);
    if (!start()) return fail(why, "pg_ctl start", ProcessResult{1, log(), ""});
    r = runAsServer({"/bin/bash", script, "create"});
    if (r.exitCode != 0) return fail(why, "rxdesk-registry create", r);
    for (const auto& [code, name] : stores) {
      r = runAsServer({"/bin/bash", script, "add-store", code, name, certs()});
      if (r.exitCode != 0) return fail(why, "rxdesk-registry add-store " + code, r);
    }
    return true;
  }

  TempDir dir_;
  TempDir keys_;
  int port_ = 0;
  bool running_ = false;
  bool owned_ = false;
};

}  // namespace rx::test
