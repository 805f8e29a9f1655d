#include "service_message.h"

#include <wx/intl.h>

#include <algorithm>
#include <regex>
#include <vector>

#include "labels.h"
#include "wx_convert.h"

namespace rx::gui {

namespace {

// `pattern` matches the whole English message; in `text` (translated) {N} is the N-th value as it
// is, {sN} a prescription state (labels.h), {mN} a message of its own, translated in turn, {lN} a
// list of such messages joined by "; ", {kN} a setting's key (named as the Settings page names it)
// and {rN} a role or roles ("'supervisor' or 'admin'"). The first pattern that matches is used:
// the more particular sentences come before the general ones at the end.
struct Sentence {
  const char* pattern;
  const char* text;
};

const std::vector<Sentence>& sentences() {
  static const std::vector<Sentence> table = {
      // Dispensing (workstation/dispensing.h).
      {R"(prescription (\d+) is ([a-z_]+) and opened by '([^']*)'; (.+))",
       wxTRANSLATE("prescription {1} is {s2} and opened by {3}; {m4}")},
      {R"(prescription (\d+) is ([a-z_]+); (.+))", wxTRANSLATE("prescription {1} is {s2}; {m3}")},
      {R"(open it for review first)", wxTRANSLATE("open it for review first")},
      {R"(only approved prescriptions are dispensed)",
       wxTRANSLATE("only approved prescriptions are dispensed")},
      {R"(it cannot be reviewed now)", wxTRANSLATE("it cannot be reviewed now")},
      {R"(prepare \(调配\) comes before check \(核对\))",
       wxTRANSLATE("prepare (调配) comes before check (核对)")},
      {R"(the check \(核对\) must be done by a second pharmacist, not by '([^']*)' who prepared it)",
       wxTRANSLATE("the check (核对) must be done by a second pharmacist, not by {1} who prepared "
                   "it")},
      {R"(package (\d+): product (\d+) is not in the pharmacy's product list; .*)",
       wxTRANSLATE("package {1}: product {2} is not in the pharmacy's product list; a supervisor "
                   "adds it")},
      {R"(package (\d+) is already scanned for prescription (\d+))",
       wxTRANSLATE("package {1} is already scanned for this prescription ({2})")},
      {R"(package (\d+) was handed out before: on (\S+), scanned by '([^']*)' for prescription (\d+))",
       wxTRANSLATE("package {1} was handed out before: on {2}, for prescription {4}")},
      {R"(package (\d+) was handed out before: scanned by '([^']*)' for prescription (\d+))",
       wxTRANSLATE("package {1} was handed out before, for prescription {3}")},
      {R"(package (\d+) is (.+), which prescription (\d+) does not prescribe \(it prescribes (.*)\))",
       wxTRANSLATE("package {1} is {2}, which prescription {3} does not prescribe (it prescribes "
                   "{4})")},
      {R"(prescription (\d+) needs prepare \(调配\) and check \(核对\) first)",
       wxTRANSLATE("prescription {1} needs prepare (调配) and check (核对) first")},
      {R"(scan the traceability code of every package before handing out)",
       wxTRANSLATE("scan the traceability code of every package before handing out")},
      {R"(no package was scanned since the last hand-out of prescription (\d+))",
       wxTRANSLATE("no package was scanned since the last hand-out of prescription {1}")},
      // Review (workstation/review.h) and its drug lines (workstation/drug_lines.h).
      {R"(open prescription (\d+) for review first)",
       wxTRANSLATE("open prescription {1} for review first")},
      {R"(cannot approve prescription (\d+): blocked by (.*))",
       wxTRANSLATE("cannot approve prescription {1}: a check blocks it ({2})")},
      {R"(the buyer must confirm the risk warning 「(.*)」 before approval \(M13\))",
       wxTRANSLATE("the buyer must confirm the risk warning 「{1}」 before approval (M13)")},
      {R"(a rejection or a request for information needs a reason code)",
       wxTRANSLATE("a rejection or a request for information needs a reason")},
      {R"(drug '(.*)' is neither in the drug catalogue nor in the pharmacy's product list; the nearest catalogue name is (.*))",
       wxTRANSLATE("drug {1} is neither in the drug catalogue nor in the pharmacy's product list; "
                   "the nearest catalogue name is {2}")},
      {R"(drug '(.*)' is neither in the drug catalogue nor in the pharmacy's product list)",
       wxTRANSLATE("drug {1} is neither in the drug catalogue nor in the pharmacy's product "
                   "list")},
      {R"(drug line (\d+): the quantity '(.*)' is not a number above 0 .*)",
       wxTRANSLATE("drug line {1}: the quantity {2} is not a number above 0")},
      {R"(drug line (\d+): a new line needs the drug's name .*)",
       wxTRANSLATE("drug line {1}: a new line needs the drug's name")},
      {R"(drug line (\d+): a new line needs its quantity .*)",
       wxTRANSLATE("drug line {1}: a new line needs its quantity")},
      {R"(drug line (\d+): the prescription has (\d+) line\(s\) with those added; .*)",
       wxTRANSLATE("drug line {1}: the prescription has {2} line(s); add the next line first")},
      {R"(drug line (\d+): an empty name removes the line; it cannot be changed as well)",
       wxTRANSLATE("drug line {1}: an empty name removes the line; it cannot be changed as well")},
      {R"(field 'date': expected a date written YYYY-MM-DD, got '(.*)')",
       wxTRANSLATE("the date must be written year-month-day (2026-12-01), not {1}")},
      // The rules of a reuse match (dedup/reuse.h, dedup/page_reuse.h).
      {R"(same prescription number)", wxTRANSLATE("same prescription number")},
      {R"(same prescription number and date)", wxTRANSLATE("same prescription number and date")},
      {R"(same prescription number and patient)",
       wxTRANSLATE("same prescription number and patient")},
      {R"(prescription number one character off, same date)",
       wxTRANSLATE("prescription number one character off, same date")},
      {R"(same date, and the number looks the same on the page \(misread\))",
       wxTRANSLATE("same date, and the number looks the same on the page (misread)")},
      {R"(number unreadable; same issuer, date and patient)",
       wxTRANSLATE("number unreadable; same issuer, date and patient")},
      {R"(number unreadable; same date, patient and drugs)",
       wxTRANSLATE("number unreadable; same date, patient and drugs")},
      {R"(number read unsure and different; same date, patient and a drug)",
       wxTRANSLATE("number read unsure and different; same date, patient and a drug")},
      {R"(the filled-in ink looks the same \((\d+) of 4 regions\))",
       wxTRANSLATE("the filled-in ink looks the same ({1} of 4 regions)")},
      {R"(the same written page: (\d+) ink cells of the earlier page found in place, (\d+) different)",
       wxTRANSLATE("the same written page: {1} ink cells of the earlier page found in place, {2} "
                   "different")},
      {R"(the same patient and date, half the drugs or more, on a page whose writing is found in place: (\d+) ink cells found, (\d+) different)",
       wxTRANSLATE("the same patient and date, half the drugs or more, on a page whose writing is "
                   "found in place: {1} ink cells found, {2} different")},
      // Audit sampling (workstation/sampling.h).
      {R"(the (consultation|decision) (\d+) of round (\d+) is not scored yet)",
       wxTRANSLATE("item {2} of round {3} is not scored yet")},
      {R"(audit round (\d+) is closed)", wxTRANSLATE("audit round {1} is closed")},
      // Logging in and unlocking (data/keyslots.h, data/store.h).
      {R"((\d+) failed logins for '([^']*)'; try again in (\d+) s)",
       wxTRANSLATE("{1} failed logins for {2}; try again in {3} seconds")},
      {R"(wrong password for user '([^']*)')", wxTRANSLATE("wrong password for user {1}")},
      {R"(no user named '([^']*)' in this store)", wxTRANSLATE("no user named {1} in this store")},
      {R"(no user named '([^']*)' in (.+))", wxTRANSLATE("no user named {1} in {2}")},
      {R"(no active user named '([^']*)')", wxTRANSLATE("no active user named {1}")},
      {R"(user '([^']*)' was removed on (\S+))", wxTRANSLATE("user {1} was removed on {2}")},
      {R"(no store at (.+) \(create one with `rxdesk-cli init`\))",
       wxTRANSLATE("there is no store at {1}")},
      {R"((.+) cannot be decrypted with this key \(wrong key, or not an rxdesk store\))",
       wxTRANSLATE("{1} cannot be decrypted with this key (a wrong key, or not a store of this "
                   "program)")},
      {R"((.+) has schema version (\d+), newer than this rxdesk \((\d+)\); update rxdesk)",
       wxTRANSLATE("{1} has schema version {2}, newer than this program ({3}); update it")},
      {R"((.+) can only be read \(read-only disk or file permissions\): rxdesk could record neither your login nor your work there, so it does not open it\. Nothing was changed; make the disk or the file writable again)",
       wxTRANSLATE("{1} can only be read (a read-only disk or file permissions): neither your "
                   "login nor your work could be recorded there, so it was not opened. Nothing "
                   "was changed; make the disk or the file writable again")},
      {R"((.+) can only be read \((.+)\): rxdesk could record neither your login nor your work in (.+), so it does not open it\. Nothing was changed; make the disk or the file writable again \(read-only disk or file permissions\))",
       wxTRANSLATE("{1} can only be read ({m2}): neither your login nor your work could be "
                   "recorded in {3}, so it was not opened. Nothing was changed; make the disk or "
                   "the file writable again")},
      // The store opened by another program (data/store_lock.h).
      {R"(cannot (.+): (.+) is open in (.+) on this computer; close it first)",
       wxTRANSLATE("cannot {m1}: {2} is open in {m3} on this computer; close it first")},
      {R"((.+) is in use by (.+); try again when it is done)",
       wxTRANSLATE("{1} is in use by {m2}; try again when it is done")},
      {R"(a re-key of this store was cut off and must finish first: close the other programs that have the store open, then log in again)",
       wxTRANSLATE("a re-key of this store was cut off and must finish first: close the other "
                   "programs that have the store open, then log in again")},
      {R"(remove user '([^']*)' \(which re-keys the store\))",
       wxTRANSLATE("remove user {1} (which re-keys the store)")},
      {R"(finish a re-key that was cut off)", wxTRANSLATE("finish a re-key that was cut off")},
      {R"(another program)", wxTRANSLATE("another program")},
      {R"(this program \(pid (\d+)\))", wxTRANSLATE("this program (process {1})")},
      {R"((.+) \(pid (\d+)\), which is busy to (.+))",
       wxTRANSLATE("{1} (process {2}), which is busy to {m3}")},
      {R"((.+) \(pid (\d+)\))", wxTRANSLATE("{1} (process {2})")},
      // The disk under the store (data/connection.cpp): full, read-only, failing.
      {R"([a-z ]+ (.+?) failed: the disk is full \(or a file size limit was reached\); nothing of this operation was saved\. Free space and try again \(.*\))",
       wxTRANSLATE("{1}: the disk is full (or a file size limit was reached); nothing of this "
                   "was saved. Free space and try again")},
      {R"([a-z ]+ (.+?) failed: the store cannot be written \(read-only disk or file permissions\); nothing of this operation was saved \(.*\))",
       wxTRANSLATE("{1}: the store cannot be written (a read-only disk or file permissions); "
                   "nothing of this was saved")},
      {R"([a-z ]+ (.+?) failed: the disk reported an error \((.*)\); nothing of this operation was saved)",
       wxTRANSLATE("{1}: the disk reported an error ({2}); nothing of this was saved")},
      // Roles (workstation/session.h): who may do what.
      {R"(only users with the role (.+) may (.+); '([^']*)' has the role '([a-z]+)')",
       wxTRANSLATE("only users with the role {r1} may {m2}; {3} has the role {r4}")},
      {R"(add users)", wxTRANSLATE("add users")},
      {R"(remove users)", wxTRANSLATE("remove users")},
      {R"(list removed users)", wxTRANSLATE("list removed users")},
      {R"(change another user's password)", wxTRANSLATE("change another user's password")},
      {R"(change settings)", wxTRANSLATE("change settings")},
      {R"(change the product list)", wxTRANSLATE("change the product list")},
      {R"(import provider agreements)", wxTRANSLATE("import provider agreements")},
      {R"(suspend, resume or revoke agreements)",
       wxTRANSLATE("suspend, resume or revoke agreements")},
      {R"(review prescriptions)", wxTRANSLATE("review prescriptions")},
      {R"(decide on prescriptions)", wxTRANSLATE("decide on prescriptions")},
      {R"(confirm prescription fields)", wxTRANSLATE("confirm prescription fields")},
      {R"(overrule a reuse suspicion)", wxTRANSLATE("overrule a reuse suspicion")},
      {R"(record dispensing steps)", wxTRANSLATE("record dispensing steps")},
      {R"(dispense packages)", wxTRANSLATE("dispense packages")},
      {R"(hand out drugs)", wxTRANSLATE("hand out drugs")},
      {R"(produce sales vouchers)", wxTRANSLATE("produce sales vouchers")},
      {R"(record consultations)", wxTRANSLATE("record consultations")},
      {R"(read consultations)", wxTRANSLATE("read consultations")},
      {R"(run audit rounds)", wxTRANSLATE("run audit rounds")},
      {R"(score audit items)", wxTRANSLATE("score audit items")},
      {R"(close audit rounds)", wxTRANSLATE("close audit rounds")},
      {R"(see your audit findings)", wxTRANSLATE("see your audit findings")},
      {R"(see the pharmacy's figures)", wxTRANSLATE("see the pharmacy's figures")},
      {R"(export records for inspectors)", wxTRANSLATE("export records for inspectors")},
      {R"(make backups)", wxTRANSLATE("make backups")},
      {R"(restore a backup)", wxTRANSLATE("restore a backup")},
      {R"(purge records)", wxTRANSLATE("purge records")},
      {R"(run a recall)", wxTRANSLATE("run a recall")},
      {R"(check the store)", wxTRANSLATE("check the store")},
      {R"(verify the audit log)", wxTRANSLATE("verify the audit log")},
      {R"(verify the signed decisions)", wxTRANSLATE("verify the signed decisions")},
      {R"(check the signing keys)", wxTRANSLATE("check the signing keys")},
      {R"(register signing keys)", wxTRANSLATE("register signing keys")},
      {R"(ask to join a chain)", wxTRANSLATE("ask to join a chain")},
      {R"(join a chain)", wxTRANSLATE("join a chain")},
      // First-run set-up (workstation/setup.h) and users (workstation/session.h, data/users.h).
      {R"(统一社会信用代码 '(.*)' is not 18 characters with a valid check character \(GB 32100-2015\))",
       wxTRANSLATE("统一社会信用代码 {1} is not 18 characters with a valid check character (GB "
                   "32100-2015)")},
      {R"(the idle lock must be 1 to 240 minutes, not (-?\d+))",
       wxTRANSLATE("the idle lock must be 1 to 240 minutes, not {1}")},
      {R"((?:the )?pharmacist '([^']*)' needs a licence number \(执业药师注册证号\))",
       wxTRANSLATE("the pharmacist {1} needs a licence number (执业药师注册证号)")},
      {R"(the pharmacist and the admin need different login names)",
       wxTRANSLATE("the pharmacist and the administrator need different login names")},
      {R"(there is already a store at (.+))", wxTRANSLATE("there is already a store at {1}")},
      {R"(cannot create the folder (.+))", wxTRANSLATE("cannot create the folder {1}")},
      {R"(cannot put the new store in place at (.+): (.+))",
       wxTRANSLATE("cannot put the new store in place at {1}: {m2}")},
      {R"(setting up (.+): (.+))", wxTRANSLATE("setting up {1}: {m2}")},
      {R"(user name '(.*)' must be 1-64 characters of A-Z a-z 0-9 \. _ -)",
       wxTRANSLATE("the login name {1} must be 1 to 64 characters of A-Z a-z 0-9 . _ -")},
      {R"(display name of '([^']*)' is empty)", wxTRANSLATE("the name shown of {1} is empty")},
      {R"(user '([^']*)' already exists \(names of removed users stay reserved so history stays unambiguous\))",
       wxTRANSLATE("user {1} already exists (the names of removed users stay reserved, so that "
                   "the history stays unambiguous)")},
      {R"(the password of '([^']*)' must not be empty)",
       wxTRANSLATE("the password of {1} must not be empty")},
      {R"(the new password must not be empty)", wxTRANSLATE("the new password must not be empty")},
      {R"(the admin password must not be empty)",
       wxTRANSLATE("the administrator's password must not be empty")},
      {R"(you cannot remove yourself)", wxTRANSLATE("you cannot remove yourself")},
      {R"(user '([^']*)' was already removed)", wxTRANSLATE("user {1} was already removed")},
      {R"(user '([^']*)' was removed)", wxTRANSLATE("user {1} was removed")},
      {R"('([^']*)' is the last admin)",
       wxTRANSLATE("{1} is the last administrator and cannot be removed")},
      {R"(user '([^']*)' already has a key slot)", wxTRANSLATE("user {1} already has a key slot")},
      // Text typed into a field (base/text.h), with the fields' names.
      {R"((.+) is (\d+) bytes long; at most (\d+) are accepted)",
       wxTRANSLATE("{m1} is {2} bytes long; at most {3} are accepted")},
      {R"((.+) is not UTF-8 text \(\x22(.*)\x22\); check the keyboard or the file's encoding)",
       wxTRANSLATE("{m1} is not UTF-8 text ({2}); check the keyboard or the file's encoding")},
      {R"((.+) holds a control character \(code (\d+)\); it must be a single line)",
       wxTRANSLATE("{m1} holds a control character (code {2}); it must be a single line")},
      {R"((.+) holds a control character \(code (\d+)\))",
       wxTRANSLATE("{m1} holds a control character (code {2})")},
      {R"(display name of '([^']*)')", wxTRANSLATE("the name shown of {1}")},
      {R"(licence number of '([^']*)')", wxTRANSLATE("the licence number of {1}")},
      {R"(setting ([a-z_.]+))", wxTRANSLATE("the setting {k1}")},
      {R"(the question)", wxTRANSLATE("the question")},
      {R"(the advice)", wxTRANSLATE("the advice")},
      {R"(the transcript)", wxTRANSLATE("the transcript")},
      {R"(the patient's name)", wxTRANSLATE("the patient's name")},
      {R"(the patient's ID number)", wxTRANSLATE("the patient's ID number")},
      {R"(the follow-up)", wxTRANSLATE("the follow-up")},
      {R"(a drug)", wxTRANSLATE("a drug")},
      {R"(the comment)", wxTRANSLATE("the comment")},
      {R"(the decision's note)", wxTRANSLATE("the decision's note")},
      {R"(the reason code)", wxTRANSLATE("the reason")},
      {R"(the reason for changing an agreement's status)",
       wxTRANSLATE("the reason for changing an agreement's status")},
      {R"(the reason for overruling a reuse suspicion)",
       wxTRANSLATE("the reason for overruling a reuse suspicion")},
      {R"(the store's name)", wxTRANSLATE("the store's name")},
      // Settings (workstation/settings.h).
      {R"(setting ([a-z_.]+): '(.*)' is not true or false)",
       wxTRANSLATE("the setting {k1}: {2} is not yes or no")},
      {R"(setting ([a-z_.]+): '(.*)' is not a whole number)",
       wxTRANSLATE("the setting {k1}: {2} is not a whole number")},
      {R"(setting ([a-z_.]+): '(.*)' is not a number)",
       wxTRANSLATE("the setting {k1}: {2} is not a number")},
      {R"(setting ([a-z_.]+): '(.*)' is outside (\S+)…(\S+))",
       wxTRANSLATE("the setting {k1}: {2} is outside {3} to {4}")},
      {R"(setting ([a-z_.]+): '(.*)' is not an 18-character 统一社会信用代码 with a valid check character)",
       wxTRANSLATE("the setting {k1}: {2} is not an 18-character 统一社会信用代码 with a valid "
                   "check character")},
      {R"(there is no setting '(.*)'; known: .*)", wxTRANSLATE("there is no setting {1}")},
      // Provider agreements (workstation/agreements.h).
      {R"(this pharmacy's 统一社会信用代码 is not set, so agreement (.+) cannot be checked against it; an admin sets it first .*)",
       wxTRANSLATE("this pharmacy's 统一社会信用代码 is not set, so agreement {1} cannot be "
                   "checked against it; an administrator sets it first (Administration, "
                   "Settings)")},
      {R"(agreement (.+) is made out to another pharmacy: '(.*)', 统一社会信用代码 (\S*); this pharmacy's is (\S*)\. Nothing was imported)",
       wxTRANSLATE("agreement {1} is made out to another pharmacy: {2}, 统一社会信用代码 {3}; this "
                   "pharmacy's is {4}. Nothing was imported")},
      {R"(agreement (.+) expired on (\S+))", wxTRANSLATE("agreement {1} expired on {2}")},
      {R"(agreement (.+) was revoked; a revocation is final)",
       wxTRANSLATE("agreement {1} was revoked; a revocation is final")},
      {R"(agreement (.+) is already active)", wxTRANSLATE("agreement {1} is already in force")},
      {R"(agreement (.+) is already suspended)", wxTRANSLATE("agreement {1} is already suspended")},
      {R"(agreement (.+) is already revoked)", wxTRANSLATE("agreement {1} is already revoked")},
      {R"(agreement (.+) was already imported)", wxTRANSLATE("agreement {1} was already imported")},
      {R"(no agreement numbered '(.*)')", wxTRANSLATE("there is no agreement numbered {1}")},
      {R"((.+): the agreement is signed with key (\S+), which it does not list)",
       wxTRANSLATE("{1}: the agreement is signed with key {2}, which it does not list")},
      {R"((.+): the provider's signature does not verify: .*)",
       wxTRANSLATE("{1}: the provider's signature does not verify")},
      {R"(no agreement selected)", wxTRANSLATE("no agreement is selected")},
      // Intake (workstation/intake.h, data/files.h, ocr/image_io.h, the watched folder).
      {R"((.+) is not a regular file \(a folder, device or pipe\); rxdesk reads only regular files)",
       wxTRANSLATE("{1} is not a regular file (it is a folder, a device or a pipe); only regular "
                   "files are read")},
      {R"((.+) is larger than the (\d+) bytes allowed)",
       wxTRANSLATE("{1} is larger than the {2} bytes allowed")},
      {R"((.+) is (\d+) MiB; photos larger than (\d+) MiB are refused)",
       wxTRANSLATE("{1} is {2} MB; photos larger than {3} MB are refused")},
      {R"((.+) is not a JPEG, PNG, TIFF or WebP image)",
       wxTRANSLATE("{1} is not a JPEG, PNG, TIFF or WebP image")},
      {R"((.+): damaged (JPEG|PNG|TIFF|WebP) \(.*\))",
       wxTRANSLATE("{1}: the {2} image is damaged")},
      {R"((.+): truncated (JPEG|PNG) \(.*\))",
       wxTRANSLATE("{1}: the {2} image is incomplete (the file was cut off)")},
      {R"((.+) is (\d+)x(\d+) pixels, above the (\d+) MP limit)",
       wxTRANSLATE("{1} is {2}×{3} pixels, above the limit of {4} million pixels")},
      {R"((.+) could not be decoded(?:: .*| \(damaged image data\)))",
       wxTRANSLATE("{1} could not be decoded (damaged image data)")},
      {R"((.+) is above the pixel limit)", wxTRANSLATE("{1} is above the pixel limit")},
      {R"((.+) is a folder, not a photo)", wxTRANSLATE("{1} is a folder, not a photo")},
      {R"((.+) is not a regular file \(a device or pipe\), not a photo)",
       wxTRANSLATE("{1} is not a regular file (a device or a pipe), not a photo")},
      {R"((.+) is not a JSON object)", wxTRANSLATE("{1} is not a JSON object")},
      {R"(The watched folder (.+) is not there)",
       wxTRANSLATE("the watched folder {1} is not there")},
      {R"(Cannot watch (.+): (.+))", wxTRANSLATE("cannot watch {1}: {m2}")},
      {R"(Another rxdesk program \(a window or rxdesk-cli intake --watch\) is already watching (.+); one watcher a folder, so that nothing is taken in twice)",
       wxTRANSLATE("another window or command is already watching {1}; one watcher a folder, so "
                   "that nothing is taken in twice")},
      {R"((.+) was taken out of the watched folder meanwhile)",
       wxTRANSLATE("{1} was taken out of the watched folder meanwhile")},
      // Reuse (workstation/reuse.h).
      {R"(prescription (\d+) has no reuse suspicion to overrule)",
       wxTRANSLATE("prescription {1} has no reuse suspicion to overrule")},
      {R"(prescription (\d+) is certainly a reuse; that cannot be overruled)",
       wxTRANSLATE("prescription {1} is certainly a reuse; that cannot be overruled")},
      {R"(the reuse finding of prescription (\d+) does not exist or was already overruled)",
       wxTRANSLATE("the reuse finding of prescription {1} does not exist or was already "
                   "overruled")},
      // The queue, review and dispensing from the store (data/prescriptions.h).
      {R"(no prescription with id (\d+))", wxTRANSLATE("there is no prescription {1}")},
      {R"(prescription (\d+) is being reviewed by '([^']*)' since (\S+))",
       wxTRANSLATE("prescription {1} is being reviewed by {2} since {3}")},
      {R"(prescription (\d+) is ([a-z_]+), not ([a-z_]+))",
       wxTRANSLATE("prescription {1} is {s2}, not {s3}")},
      {R"(there is no review decision (\d+))", wxTRANSLATE("there is no review decision {1}")},
      {R"(the step 'prepare' of prescription (\d+) was already recorded)",
       wxTRANSLATE("prepare (调配) of prescription {1} was already recorded")},
      {R"(the step 'check' of prescription (\d+) was already recorded)",
       wxTRANSLATE("check (核对) of prescription {1} was already recorded")},
      {R"(traceability code (\S+) was already dispensed on (\S+) by '([^']*)' for prescription (\d+))",
       wxTRANSLATE("traceability code {1} was already dispensed on {2} for prescription {4}")},
      {R"(package (\S+) is not a package of prescription (\d+) still waiting to be handed out)",
       wxTRANSLATE("package {1} is not a package of prescription {2} still waiting to be handed "
                   "out")},
      {R"(prescription (.+) of (.+) was already used)",
       wxTRANSLATE("prescription {1} of {2} was already used")},
      {R"(prescription (\d+) has (.+) (\d+) of (\S+) (.*) scanned already; this package would be one too many)",
       wxTRANSLATE("prescription {1} has {3} of {4} {5} of {2} scanned already; this package "
                   "would be one too many")},
      {R"(prescription (\d+) is not complete \((.+) scanned\); hand out what is scanned as a partial dispensing \(部分发药\) or scan the rest)",
       wxTRANSLATE("prescription {1} is not complete (scanned: {l2}); hand out what is scanned as "
                   "a partial dispensing (部分发药) or scan the rest")},
      {R"(package (\S+) was handed out at (.+) on (.+))",
       wxTRANSLATE("package {1} was handed out at {2} on {3}")},
      {R"(this prescription was handed out at (.+) on (.+); it is not handed out again)",
       wxTRANSLATE("this prescription was handed out at {1} on {2}; it is not handed out again")},
      {R"(a package of this hand-out was handed out at (.+) on (.+); it is not handed out again)",
       wxTRANSLATE("a package of this hand-out was handed out at {1} on {2}; it is not handed "
                   "out again")},
      {R"(the chain registry cannot be reached, and this pharmacy does not hand out while it is away \(setting (chain\.offline_handout)\): (.+))",
       wxTRANSLATE("the chain registry cannot be reached, and this pharmacy does not hand out "
                   "while it is away (setting {k1}): {m2}")},
      {R"(the chain registry could not be reached a moment ago)",
       wxTRANSLATE("the chain registry could not be reached a moment ago")},
      {R"(chain registry: connection lost while .*)",
       wxTRANSLATE("the connection to the chain registry was lost")},
      {R"(chain registry: .* timed out)", wxTRANSLATE("the chain registry did not answer in time")},
      {R"(this store has not joined a chain \(rxdesk-cli chain join\))",
       wxTRANSLATE("this store has not joined a chain")},
      // Vouchers (workstation/voucher.h).
      {R"(prescription (\d+) has not been handed out; a voucher comes with the hand-out)",
       wxTRANSLATE("prescription {1} has not been handed out; a voucher comes with the "
                   "hand-out")},
      {R"(prescription (\d+) was handed out (\d+) time\(s\); there is no hand-out (-?\d+))",
       wxTRANSLATE("prescription {1} was handed out {2} time(s); there is no hand-out {3}")},
      {R"(cannot print: (.+))", wxTRANSLATE("cannot print: {m1}")},
      {R"(cannot run lp \(CUPS\) to print: (.+); install cups-client, or write the PDF with --pdf and print it)",
       wxTRANSLATE("cannot start printing (CUPS): {m1}; install the printing service, or save "
                   "the PDF and print it")},
      {R"(lp could not print voucher (\S+) \(exit status (-?\d+)\) on printer (.+))",
       wxTRANSLATE("voucher {1} could not be printed on printer {3} (exit status {2})")},
      {R"(lp could not print voucher (\S+) \(exit status (-?\d+)\))",
       wxTRANSLATE("voucher {1} could not be printed (exit status {2})")},
      {R"(no voucher is shown)", wxTRANSLATE("no voucher is shown")},
      // Consultations (workstation/consultations.h).
      {R"(channel '(.*)' is not counter, phone or online)",
       wxTRANSLATE("the channel {1} is not at the counter, by phone or online")},
      {R"(the question is empty)", wxTRANSLATE("the question is empty")},
      {R"(the advice given is empty)", wxTRANSLATE("the advice given is empty")},
      {R"(minutes spent must be 0 to 600, not (-?\d+))",
       wxTRANSLATE("the minutes spent must be 0 to 600, not {1}")},
      {R"(a patient ID number needs the patient's name)",
       wxTRANSLATE("a patient ID number needs the patient's name")},
      {R"(consultation (\d+) is another pharmacist's, with a patient you have not served)",
       wxTRANSLATE("consultation {1} is another pharmacist's, with a patient you have not "
                   "served")},
      {R"(there is no consultation (\d+))", wxTRANSLATE("there is no consultation {1}")},
      // Audit sampling and figures (workstation/sampling.h, workstation/report.h).
      {R"(the period (.*) to (.*) is not two dates in order)",
       wxTRANSLATE("the period {1} to {2} is not two dates in order")},
      {R"(the period (.*) to (.*) is not two YYYY-MM-DD dates in order)",
       wxTRANSLATE("the period {1} to {2} is not two dates (year-month-day) in order")},
      {R"(give a percentage or a count, one of them)",
       wxTRANSLATE("give a percentage or a count, one of them")},
      {R"(the percentage must be above 0 and at most 100)",
       wxTRANSLATE("the percentage must be above 0 and at most 100")},
      {R"(the count must be at least 1)", wxTRANSLATE("the count must be at least 1")},
      {R"(sample decisions, consultations or both)",
       wxTRANSLATE("sample decisions, consultations or both")},
      {R"((consultation|decision) (\d+) is not an item of audit round (\d+))",
       wxTRANSLATE("item {2} is not an item of audit round {3}")},
      {R"(the (consultation|decision) (\d+) is not in audit round (\d+))",
       wxTRANSLATE("item {2} is not an item of audit round {3}")},
      {R"(an inappropriate item needs a reason; the round's reasons are: .*)",
       wxTRANSLATE("an inappropriate item needs a reason, one of the round's reasons")},
      {R"(reason '(.*)' is not among the round's criteria: .*)",
       wxTRANSLATE("the reason {1} is not among the round's criteria")},
      {R"(audit round (\d+) is open)", wxTRANSLATE("audit round {1} is not closed yet")},
      {R"(there is no audit round (\d+))", wxTRANSLATE("there is no audit round {1}")},
      {R"(choose an item of the round first)", wxTRANSLATE("choose an item of the round first")},
      {R"(choose a round first)", wxTRANSLATE("choose a round first")},
      // Export for inspectors (workstation/export.h).
      {R"(--from '(.*)' is not YYYY-MM-DD)",
       wxTRANSLATE("the first day {1} is not a date written year-month-day")},
      {R"(--to '(.*)' is not YYYY-MM-DD)",
       wxTRANSLATE("the last day {1} is not a date written year-month-day")},
      {R"(--to is before --from)", wxTRANSLATE("the last day is before the first day")},
      {R"((.+) is not empty; give a new folder for the export)",
       wxTRANSLATE("{1} is not empty; give a new folder for the export")},
      {R"((.+) is not a folder \(a link to one is not accepted for an export\))",
       wxTRANSLATE("{1} is not a folder (a link to one is not accepted for an export)")},
      {R"((.+) belongs to another user; give a folder of your own for the export)",
       wxTRANSLATE("{1} belongs to another user of this computer; give a folder of your own for "
                   "the export")},
      {R"(cannot make (.+) private \((.+)\))", wxTRANSLATE("cannot make {1} private ({m2})")},
      {R"(The export to (.+) was cancelled; nothing was left in the folder)",
       wxTRANSLATE("the export to {1} was cancelled; nothing was left in the folder")},
      {R"(a backup or an export is under way; try again after it)",
       wxTRANSLATE("a backup or an export is under way; try again after it")},
      // Backups (workstation/backup.h).
      {R"((.+) already exists; choose a new name)",
       wxTRANSLATE("{1} already exists; choose a new name")},
      {R"(writing the backup (.+) failed: the disk is full \(or a file size limit was reached\); nothing was kept\. Free space or use another disk and try again)",
       wxTRANSLATE("writing the backup {1} failed: the disk is full (or a file size limit was "
                   "reached); nothing was kept. Free space or use another disk and try again")},
      {R"(writing the backup (.+) failed: the disk reported an error \((.+)\); nothing was kept\. Free space or use another disk and try again)",
       wxTRANSLATE("writing the backup {1} failed: the disk reported an error ({m2}); nothing "
                   "was kept. Free space or use another disk and try again")},
      {R"(The backup (.+) was cancelled; nothing was written)",
       wxTRANSLATE("the backup {1} was cancelled; nothing was written")},
      {R"(the backup was cancelled)", wxTRANSLATE("the backup was cancelled")},
      {R"(stopped reading (.+))", wxTRANSLATE("stopped reading {1}")},
      {R"(the backup folder (.+) is not there \(is the USB disk plugged in\?\))",
       wxTRANSLATE("the backup folder {1} is not there (is the USB disk plugged in?)")},
      {R"(the backup (.+) was removed again: (.+))",
       wxTRANSLATE("the backup {1} was removed again: {m2}")},
      // A drug line's packages scanned so far (DispensingService), one of a {lN} list.
      {R"((.+) (\d+) of (\d+(?:\.\d+)?) (\S+))", wxTRANSLATE("{1} {2} of {3} {4}")},
      // Files and folders, in general (data/files.h and the callers above).
      {R"(cannot open (.+): (.+))", wxTRANSLATE("cannot open {1}: {m2}")},
      {R"(cannot create (.+): (.+))", wxTRANSLATE("cannot create {1}: {m2}")},
      {R"(cannot write (.+): (.+) \(the disk is full\))",
       wxTRANSLATE("cannot write {1}: {m2} (the disk is full)")},
      {R"(cannot write (.+): (.+))", wxTRANSLATE("cannot write {1}: {m2}")},
      {R"(cannot create (.+))", wxTRANSLATE("cannot create {1}")},
      {R"(cannot write (.+))", wxTRANSLATE("cannot write {1}")},
      {R"(cannot read (.+))", wxTRANSLATE("cannot read {1}")},
      {R"((.+) does not exist)", wxTRANSLATE("{1} does not exist")},
      {R"((.+) is empty)", wxTRANSLATE("{1} is empty")},
      {R"((.+) is required)", wxTRANSLATE("{m1} is required")},
      // The C library's words for a failed file operation (strerror, std::error_code).
      {R"(Permission denied)", wxTRANSLATE("permission denied")},
      {R"(No such file or directory)", wxTRANSLATE("no such file or folder")},
      {R"(No space left on device)", wxTRANSLATE("no space left on the disk")},
      {R"(Read-only file system)", wxTRANSLATE("the disk is read-only")},
      {R"(File exists)", wxTRANSLATE("the file exists")},
      {R"(Is a directory)", wxTRANSLATE("it is a folder")},
      {R"(Not a directory)", wxTRANSLATE("a part of the path is not a folder")},
      {R"(Disk quota exceeded)", wxTRANSLATE("the disk quota is exceeded")},
      {R"(Input/output error)", wxTRANSLATE("the disk reported an input/output error")},
      {R"(Operation not permitted)", wxTRANSLATE("the operation is not permitted")},
      {R"(File name too long)", wxTRANSLATE("the file name is too long")},
  };
  return table;
}

// "'supervisor' or 'admin'" as the window names the roles.
wxString roles(const std::string& names) {
  static const std::regex role("'?([a-z]+)'?");
  wxString out;
  for (std::sregex_iterator it(names.begin(), names.end(), role), end; it != end; ++it) {
    const std::string name = (*it)[1].str();
    if (name == "or") continue;
    if (!out.empty()) out += _(" or ");
    out += roleLabel(name);
  }
  return out.empty() ? toWx(names) : out;
}

// Messages joined by "; ", each translated.
wxString messageList(const std::string& list) {
  wxString out;
  std::size_t from = 0;
  while (from <= list.size()) {
    const std::size_t to = std::min(list.find("; ", from), list.size());
    if (!out.empty()) out += _("; ");
    out += serviceMessage(list.substr(from, to - from));
    from = to + 2;
  }
  return out;
}

wxString fill(const wxString& text, const std::smatch& m) {
  wxString out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') {
      const std::size_t close = text.find('}', i);
      if (close != wxString::npos) {
        wxString key = text.substr(i + 1, close - i - 1);
        const wxUniChar kind = key.empty() ? wxUniChar('0') : key[0];
        const bool typed = kind == 's' || kind == 'm' || kind == 'l' || kind == 'k' || kind == 'r';
        if (typed) key = key.substr(1);
        unsigned long n = 0;
        if (key.ToULong(&n) && n > 0 && n < m.size()) {
          const std::string value = m[n].str();
          if (kind == 's')
            out += stateLabel(value);
          else if (kind == 'm')
            out += serviceMessage(value);
          else if (kind == 'l')
            out += messageList(value);
          else if (kind == 'k')
            out += settingLabel(value);
          else if (kind == 'r')
            out += roles(value);
          else
            out += toWx(value);
          i = close;
          continue;
        }
      }
    }
    out += text[i];
  }
  return out;
}

}  // namespace

wxString serviceMessage(const std::string& message) {
  // Compiled once: the table is long, and a message may be matched several times (nested).
  static const std::vector<std::regex> patterns = [] {
    std::vector<std::regex> out;
    for (const Sentence& s : sentences()) out.emplace_back(s.pattern);
    return out;
  }();
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    std::smatch m;
    if (std::regex_match(message, m, patterns[i]))
      return fill(wxGetTranslation(sentences()[i].text), m);
  }
  return toWx(message);
}

}  // namespace rx::gui
