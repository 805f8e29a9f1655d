// What the chain's source files share: each store's link to the registry, claim keys, key files.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/bytes.h"
#include "data/chain.h"
#include "data/prescriptions.h"
#include "registry/client.h"

namespace rx::ws::chain_internal {

inline constexpr const char* kSealedFormat = "rxdesk-chain-key-sealed-1";

// The associated data a chain key is sealed to `store` under.
std::string sealAad(const std::string& store);

// Reads the JSON document at `path`; kCorrupt unless it is an object of format `format`.
Result<nlohmann::json> readJsonFile(const std::string& path, const char* format, const char* what);

// The hex string `field` of `doc` as bytes, `size` of them (any number when 0).
Result<crypto::Bytes> hexField(const nlohmann::json& doc, const char* field, std::size_t size,
                               const std::string& path);

// One link to the registry per store and process, shared by the window's threads: connecting
// costs a TLS handshake, and after a failure the counter does not wait on the registry again for a
// while (an explicit exchange still tries).
struct Link {
  std::mutex mutex;
  std::optional<registry::Client> client;
  std::chrono::steady_clock::time_point retryAfter{};
  bool online = false;
};

// Returns the link of the store at `storePath`, made on first use.
Link& linkFor(const std::string& storePath);

// The client of `link` (lock held), connected now if it was not and `force` or not in backoff.
Result<registry::Client*> connected(Link& link, const data::ChainMembership& m, bool force);

// After a registry call failed: a lost link is dropped (reconnected next time).
void noteFailure(Link& link, const Status& s);

// Runs `fn` (returning a Status) on the link's client. A connection kept from before may have died
// with a registry that restarted since: on kUnavailable it is connected afresh and `fn` tried once
// more (each registry call is safe to repeat).
template <typename Fn>
Status withClient(Link& link, const data::ChainMembership& m, bool force, Fn&& fn) {
  const bool kept = link.client.has_value();
  auto client = connected(link, m, force);
  if (!client) return client.status();
  Status s = fn(**client);
  if (!s.isOk() && s.code() == ErrorCode::kUnavailable && kept) {
    link.client.reset();
    client = connected(link, m, true);
    if (!client) return client.status();
    s = fn(**client);
  }
  noteFailure(link, s);
  return s;
}

// The key a claim on `value` (of kind `domain`) is made under: keyed with the chain key, so the
// registry never sees a prescription number or a traceability code.
std::string claimKey(const crypto::SecretBytes& chainKey, std::string_view domain,
                     std::string_view value);
crypto::Bytes bytesOf(const std::string& s);
std::string stringOf(const crypto::Bytes& b);

// The outbox items of a hand-out's claims: the prescription (issuer and number, as the store marks
// it used) and a package (its traceability code).
data::OutboxItem prescriptionClaim(const crypto::SecretBytes& chainKey,
                                   const data::PrescriptionRecord& r, const std::string& at,
                                   bool offline);
data::OutboxItem packageClaim(const crypto::SecretBytes& chainKey, std::int64_t id,
                              const std::string& traceCode, const std::string& at, bool offline);

// Returns true iff a prescription in state `s` was handed out (in full or in part).
bool handedOut(data::RxState s);

}  // namespace rx::ws::chain_internal
