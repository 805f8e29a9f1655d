#include "data/users.h"

#include <algorithm>

#include "base/text.h"

namespace rx::data {

std::string_view roleName(Role role) {
  switch (role) {
    case Role::kPharmacist:
      return "pharmacist";
    case Role::kSupervisor:
      return "supervisor";
    case Role::kAdmin:
      return "admin";
  }
  return "pharmacist";
}

Result<Role> parseRole(std::string_view name) {
  if (name == "pharmacist") return Role::kPharmacist;
  if (name == "supervisor") return Role::kSupervisor;
  if (name == "admin") return Role::kAdmin;
  return Status(ErrorCode::kInvalidArgument,
                "role '" + std::string(name) + "' is not one of pharmacist, supervisor, admin");
}

Status validateNewUser(const NewUser& u) {
  if (u.name.empty() || u.name.size() > 64 ||
      !std::all_of(u.name.begin(), u.name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
      }))
    return Status(ErrorCode::kInvalidArgument,
                  "user name '" + u.name + "' must be 1-64 characters of A-Z a-z 0-9 . _ -");
  if (u.displayName.empty())
    return Status(ErrorCode::kInvalidArgument, "display name of '" + u.name + "' is empty");
  RX_RETURN_IF_ERROR(checkText("display name of '" + u.name + "'", u.displayName, kMaxShortText));
  if (u.role == Role::kPharmacist && (!u.licenceNo || u.licenceNo->empty()))
    return Status(ErrorCode::kInvalidArgument,
                  "pharmacist '" + u.name + "' needs a licence number (执业药师注册证号)");
  if (u.licenceNo) {
    RX_RETURN_IF_ERROR(checkText("licence number of '" + u.name + "'", *u.licenceNo, 64));
  }
  return Status::ok();
}

namespace {
constexpr std::string_view kUserColumns =
    "id, name, role, display_name, licence_no, created_at, removed_at";

Result<UserRecord> rowToUser(const Statement& st) {
  UserRecord u;
  u.id = st.columnInt(0);
  u.name = st.columnText(1);
  RX_ASSIGN_OR_RETURN(u.role, parseRole(st.columnText(2)));
  u.displayName = st.columnText(3);
  u.licenceNo = st.columnOptionalText(4);
  u.createdAt = st.columnText(5);
  u.removedAt = st.columnOptionalText(6);
  return u;
}
}  // namespace

Status UserRepository::requireNameFree(const std::string& name) {
  if (!findByName(name).isOk()) return Status::ok();
  return Status(ErrorCode::kAlreadyExists, "user '" + name +
                                               "' already exists (names of removed "
                                               "users stay reserved so history stays unambiguous)");
}

Result<UserRecord> UserRepository::insert(const NewUser& user) {
  RX_RETURN_IF_ERROR(validateNewUser(user));
  RX_RETURN_IF_ERROR(requireNameFree(user.name));
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("INSERT INTO users(name, role, display_name, licence_no, created_at) "
                    "VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ','now'))"));
  RX_RETURN_IF_ERROR(st.bind(1, user.name)
                         .bind(2, roleName(user.role))
                         .bind(3, user.displayName)
                         .bind(4, user.licenceNo)
                         .run());
  return findByName(user.name);
}

Result<UserRecord> UserRepository::findByName(const std::string& name) {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT " + std::string(kUserColumns) +
                                                  " FROM users WHERE name = ?"));
  st.bind(1, name);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Status(ErrorCode::kUnknownUser, "no user named '" + name + "' in this store");
  return rowToUser(st);
}

Result<std::vector<UserRecord>> UserRepository::list(bool includeRemoved) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("SELECT " + std::string(kUserColumns) +
                                    " FROM users WHERE ? OR removed_at IS NULL ORDER BY name"));
  st.bind(1, includeRemoved ? 1 : 0);
  std::vector<UserRecord> out;
  for (;;) {
    RX_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    RX_ASSIGN_OR_RETURN(UserRecord u, rowToUser(st));
    out.push_back(std::move(u));
  }
  return out;
}

Status UserRepository::markRemoved(const std::string& name) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("UPDATE users SET removed_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') "
                    "WHERE name = ? AND removed_at IS NULL"));
  RX_RETURN_IF_ERROR(st.bind(1, name).run());
  if (conn_.changes() == 0)
    return Status(ErrorCode::kUnknownUser, "no active user named '" + name + "'");
  return Status::ok();
}

}  // namespace rx::data
