// Dispensing an approved prescription (调配, 核对, 发药): the drug lines with what is scanned so
// far; a code field that takes the scanner's input whatever has focus on this screen (a scanner
// types digits and Enter), each package accepted in green or refused in red with a beep and the
// reason; the prepare and check steps; the hand-out (on a worker thread: it asks the chain
// registry); then the sales voucher, previewed as it prints.
#pragma once

#include <wx/dialog.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "test_hook.h"
#include "workstation/dispensing.h"
#include "workstation/voucher.h"

class wxButton;
class wxCheckBox;
class wxDataViewListCtrl;
class wxSizer;
class wxStaticBitmap;
class wxStaticText;
class wxTextCtrl;

class wxListBox;

namespace rx::gui {

class DispenseDialog : public wxDialog {
 public:
  DispenseDialog(wxWindow* parent, ws::Session& session, std::int64_t record);

  // As the scanner does: puts `code` in the code field and presses Enter. Returns the line shown.
  wxString scan(const wxString& code);
  // The buttons; each returns the error shown, empty when done.
  wxString prepared();
  wxString checked();
  // Starts the hand-out (the Hand out button) on a worker thread and returns at once; the outcome
  // shows when it is done (handingOut() false again): the voucher, or the refusal in red.
  void handOut(bool partial = false);
  bool handingOut() const { return handingOut_; }
  // The refusal the last hand-out showed; empty when it was handed out (or is still running).
  wxString lastHandOutError() const { return lastHandOutError_; }
  // Tests: called on the worker before each hand-out (to make one slow).
  static void setBeforeHandOutForTests(std::function<void()> hook);
  ~DispenseDialog() override;
  bool lastScanAccepted() const { return lastScanOk_; }
  wxString statusText() const;
  wxString linesText() const;
  // The packages scanned and not handed out, one per line ("code  drug").
  wxString scannedText() const;
  // Takes back a package scanned by mistake (the Take back button on the selected one). Returns
  // the error shown, empty when done.
  wxString takeBack(const std::string& code);
  bool voucherShown() const;
  // Writes the voucher shown as a PDF at `path` (the Save as PDF button, after its file dialog;
  // for a counter without a printer). Returns the error shown, empty when saved.
  wxString saveVoucherTo(const wxString& path);
  wxTextCtrl* codeField() const { return code_; }
  wxDataViewListCtrl* drugList() const { return lines_; }

 private:
  void buildScanArea(wxSizer* top);
  void buildSteps(wxSizer* top);
  void bindWindowEvents();
  void refreshLines();
  void takeBackSelected();
  void onCode();
  void showStatus(const wxString& text, bool ok);
  void showVoucher();
  void finishHandOut(const Status& st, bool partial, bool offline);
  inline static TestHook beforeHandOut_;

  ws::Session& session_;
  ws::DispensingService dispensing_;
  std::int64_t record_;
  wxListBox* scanned_ = nullptr;
  std::vector<std::string> scannedCodes_;
  bool lastScanOk_ = false;
  wxDataViewListCtrl* lines_;
  wxTextCtrl* code_;
  wxStaticText* status_;
  wxCheckBox* partial_;
  wxButton* takeBack_ = nullptr;
  wxButton* handOut_;
  wxButton* print_;
  wxButton* savePdf_;
  std::optional<ws::Voucher> shownVoucher_;  // the voucher shown, which Print and Save as PDF give
  wxStaticBitmap* voucher_;
  std::vector<wxWindow*> actions_;
  bool handingOut_ = false;
  wxString lastHandOutError_;
  std::thread handOutThread_;
};

}  // namespace rx::gui
