// The main window: the prescription queue, the menu and a status bar naming user and store.
#pragma once

#include <wx/frame.h>

#include <memory>
#include <vector>

#include "workstation/review.h"
#include "workstation/session.h"

class wxDataViewListCtrl;
class wxStaticText;
class wxChoice;

namespace rx::gui {

class MainFrame : public wxFrame {
 public:
  explicit MainFrame(std::unique_ptr<ws::Session> session);

  wxDataViewListCtrl* queue() const { return queue_; }
  ws::Session& session() { return *session_; }
  // The record shown in queue row `row`.
  std::int64_t recordAt(int row) const { return rows_.at(static_cast<std::size_t>(row)); }
  void refreshQueue();
  // Opens "presented before?" for `record` (modal; the tests use the dialog without showing it).
  void showReuse(std::int64_t record);

 private:
  void buildMenu();
  void onAbout(wxCommandEvent&);

  std::unique_ptr<ws::Session> session_;
  std::unique_ptr<ws::ReviewService> review_;
  std::vector<std::int64_t> rows_;
  wxDataViewListCtrl* queue_;
  wxStaticText* emptyNote_;
  wxChoice* filter_;
};

}  // namespace rx::gui
