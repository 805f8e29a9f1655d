// The main window: the prescription queue, the menu and a status bar naming user and store.
#pragma once

#include <wx/frame.h>

#include <memory>

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

 private:
  void buildMenu();
  void onAbout(wxCommandEvent&);
  void refreshQueue();

  std::unique_ptr<ws::Session> session_;
  wxDataViewListCtrl* queue_;
  wxStaticText* emptyNote_;
  wxChoice* filter_;
};

}  // namespace rx::gui
