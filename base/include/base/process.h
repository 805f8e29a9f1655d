// Process-wide protections both programs set first thing in main().
#pragma once

#include <sys/prctl.h>
#include <sys/resource.h>

#include <csignal>

#if defined(__SANITIZE_ADDRESS__)
#define RX_SANITIZED_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RX_SANITIZED_BUILD 1
#endif
#endif

namespace rx {

// - No core dumps: a crash of a workstation holding decrypted patient data in memory must not
//   write that memory to disk (RLIMIT_CORE 0 and not dumpable, which also keeps other processes of
//   the same user from attaching a debugger). Sanitizer builds stay dumpable: LeakSanitizer stops
//   the world through ptrace.
// - A full disk or a file size limit makes writes fail with an error rxdesk reports (SIGXFSZ
//   ignored), instead of killing the process in the middle of its work.
inline void protectProcess() {
  rlimit none{0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
#ifndef RX_SANITIZED_BUILD
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
  std::signal(SIGXFSZ, SIG_IGN);
}

}  // namespace rx
