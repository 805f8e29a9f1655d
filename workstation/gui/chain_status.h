// The chain registry in the status bar (docs/registry.md): every half minute, a thread of its own
// exchanges with the registry on a second connection to the store (ws::Session::forWorker), then
// tells the UI thread whether the registry is online, how much waits to be sent and when the last
// exchange was. The UI thread never waits on the network.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include <wx/string.h>

#include "workstation/chain.h"

class wxEvtHandler;

namespace rx::gui {

class ChainStatusJob {
 public:
  using Show = std::function<void(const wxString& text, bool warn)>;
  explicit ChainStatusJob(wxEvtHandler* owner, Show show) : owner_(owner), show_(std::move(show)) {}
  ~ChainStatusJob();  // waits for an exchange under way (at most the registry's timeout)
  ChainStatusJob(const ChainStatusJob&) = delete;
  ChainStatusJob& operator=(const ChainStatusJob&) = delete;

  // Starts an exchange on `worker` (the window's session's forWorker()) unless one is under way.
  void tick(std::unique_ptr<ws::Session> worker);
  bool busy() const { return busy_; }

  // The status bar's words for `s` (empty when the store is not in a chain).
  static wxString describe(const ws::ChainStatus& s);

 private:
  wxEvtHandler* owner_;
  Show show_;
  std::atomic<bool> busy_{false};
  std::thread thread_;
};

}  // namespace rx::gui
