// Users of a store and their roles.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "data/connection.h"

namespace rx::data {

enum class Role { kPharmacist, kSupervisor, kAdmin };

std::string_view roleName(Role role);
// Parses "pharmacist", "supervisor" or "admin".
Result<Role> parseRole(std::string_view name);

struct NewUser {
  std::string name;  // login name: 1-64 of [A-Za-z0-9._-]
  Role role = Role::kPharmacist;
  std::string displayName;               // shown in the UI and on signed records
  std::optional<std::string> licenceNo;  // 执业药师注册证号; required for pharmacists
};

struct UserRecord {
  std::int64_t id = 0;
  std::string name;
  Role role = Role::kPharmacist;
  std::string displayName;
  std::optional<std::string> licenceNo;
  std::string createdAt;
  std::optional<std::string> removedAt;
};

// Returns an error naming the field when `user` cannot be stored.
Status validateNewUser(const NewUser& user);

class UserRepository {
 public:
  explicit UserRepository(Connection& conn) : conn_(conn) {}
  Result<UserRecord> insert(const NewUser& user);
  // kAlreadyExists when a user, present or removed, has the name `name`.
  Status requireNameFree(const std::string& name);
  // Returns the user named `name` (removed users included); kUnknownUser if none.
  Result<UserRecord> findByName(const std::string& name);
  Result<std::vector<UserRecord>> list(bool includeRemoved);
  Status markRemoved(const std::string& name);

 private:
  Connection& conn_;
};

}  // namespace rx::data
