#include "dispense_dialog.h"

#include <wx/bitmap.h>
#include <wx/button.h>
#include <wx/checkbox.h>
#include <wx/dataview.h>
#include <wx/filedlg.h>
#include <wx/image.h>
#include <wx/intl.h>
#include <wx/listbox.h>
#include <wx/mstream.h>
#include <wx/sizer.h>
#include <wx/statbmp.h>
#include <wx/stattext.h>
#include <wx/stdpaths.h>
#include <wx/textctrl.h>
#include <wx/utils.h>

#include <algorithm>
#include <functional>
#include <utility>

#include <spdlog/spdlog.h>

#include "workstation/drug_lines.h"
#include "workstation/voucher.h"
#include "wx_convert.h"

namespace rx::gui {

namespace {
constexpr int kStatusLines = 4;  // the status area's height
}  // namespace

void DispenseDialog::setBeforeHandOutForTests(std::function<void()> hook) {
  beforeHandOut_.set(std::move(hook));
}

DispenseDialog::DispenseDialog(wxWindow* parent, ws::Session& session, std::int64_t record)
    : wxDialog(parent, wxID_ANY,
               wxString::Format(_("Dispense prescription %lld"), static_cast<long long>(record)),
               wxDefaultPosition, wxDefaultSize, wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER),
      session_(session),
      dispensing_(session),
      record_(record) {
  auto* top = new wxBoxSizer(wxVERTICAL);
  lines_ = new wxDataViewListCtrl(this, wxID_ANY, wxDefaultPosition, FromDIP(wxSize(620, 110)),
                                  wxDV_ROW_LINES);
  lines_->AppendTextColumn(_("Drug"), wxDATAVIEW_CELL_INERT, FromDIP(300));
  lines_->AppendTextColumn(_("Prescribed"), wxDATAVIEW_CELL_INERT, FromDIP(140));
  lines_->AppendTextColumn(_("Scanned"), wxDATAVIEW_CELL_INERT, FromDIP(140));
  top->Add(lines_, 1, wxEXPAND | wxALL, 10);
  buildScanArea(top);
  buildSteps(top);
  voucher_ = new wxStaticBitmap(this, wxID_ANY, wxNullBitmap);
  voucher_->Hide();
  top->Add(voucher_, 0, wxALIGN_CENTER | wxLEFT | wxRIGHT | wxBOTTOM, 10);
  bindWindowEvents();
  SetSizerAndFit(top);
  refreshLines();
  code_->SetFocus();
  CentreOnParent();
}

// The code field, the outcome of the last scan, and the packages scanned so far.
void DispenseDialog::buildScanArea(wxSizer* top) {
  auto* scanRow = new wxBoxSizer(wxHORIZONTAL);
  scanRow->Add(new wxStaticText(this, wxID_ANY, _("Package code (scan):")), 0,
               wxALIGN_CENTER_VERTICAL | wxRIGHT, 6);
  code_ = new wxTextCtrl(this, wxID_ANY, wxEmptyString, wxDefaultPosition, FromDIP(wxSize(320, -1)),
                         wxTE_PROCESS_ENTER);
  code_->SetHint(_("药品追溯码 or GS1 code, then Enter"));
  scanRow->Add(code_, 1);
  top->Add(scanRow, 0, wxEXPAND | wxLEFT | wxRIGHT, 10);
  // A fixed height, room for four wrapped lines (a refusal and its detail): a long message must
  // not take the drug list's rows away.
  status_ = new wxStaticText(this, wxID_ANY, _("Scan each package."), wxDefaultPosition,
                             wxDefaultSize, wxST_NO_AUTORESIZE);
  status_->SetMinSize(wxSize(FromDIP(620), kStatusLines * GetCharHeight() + FromDIP(4)));
  top->Add(status_, 0, wxEXPAND | wxALL, 10);
  // What was scanned and not handed out yet; a wrong scan is taken back here.
  auto* scannedRow = new wxBoxSizer(wxHORIZONTAL);
  scanned_ = new wxListBox(this, wxID_ANY, wxDefaultPosition, FromDIP(wxSize(-1, 72)));
  scannedRow->Add(scanned_, 1, wxEXPAND | wxRIGHT, 6);
  takeBack_ = new wxButton(this, wxID_ANY, _("Take &back"));
  takeBack_->SetToolTip(_("Takes the selected package back: scanned by mistake, not handed out"));
  scannedRow->Add(takeBack_, 0, wxALIGN_TOP);
  top->Add(scannedRow, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, 10);
  takeBack_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { takeBackSelected(); });
  code_->Bind(wxEVT_TEXT_ENTER, [this](wxCommandEvent&) { onCode(); });
}

// The row of steps: prepared, checked, hand out, print the voucher; and Close.
void DispenseDialog::buildSteps(wxSizer* top) {
  auto* buttons = new wxBoxSizer(wxHORIZONTAL);
  auto* prepare = new wxButton(this, wxID_ANY, _("&Prepared (调配)"));
  auto* check = new wxButton(this, wxID_ANY, _("C&hecked (核对)"));
  handOut_ = new wxButton(this, wxID_ANY, _("Hand &out (发药)"));
  partial_ = new wxCheckBox(this, wxID_ANY, _("Part&ial hand-out"));
  print_ = new wxButton(this, wxID_ANY, _("Print &voucher"));
  print_->Disable();
  savePdf_ = new wxButton(this, wxID_ANY, _("Save as P&DF…"));
  savePdf_->Disable();
  for (wxWindow* w :
       std::initializer_list<wxWindow*>{prepare, check, handOut_, partial_, print_, savePdf_})
    buttons->Add(w, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, 6);
  buttons->AddStretchSpacer();
  auto* close = makeCloseButton(this);  // also the Escape key's
  buttons->Add(close, 0);
  top->Add(buttons, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, 10);

  // What waits while a hand-out runs: everything that records something.
  // Closing too: its outcome (and the voucher) is shown here; a disabled Close button also
  // leaves Escape without effect.
  actions_ = {prepare, check, handOut_, partial_, takeBack_, code_, close};
  prepare->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { prepared(); });
  check->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { checked(); });
  handOut_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { handOut(partial_->GetValue()); });
  print_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
    Status printed = shownVoucher_ ? ws::printVoucher(*shownVoucher_)
                                   : Status(ErrorCode::kConflict, "no voucher is shown");
    showStatus(printed ? _("The voucher was sent to the printer.")
                       : explain(printed, _("The voucher was not printed.")),
               printed.isOk());
  });
  savePdf_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
    const wxString name = shownVoucher_
                              ? wxString::Format("voucher-%s.pdf", toWx(shownVoucher_->number))
                              : wxString("voucher.pdf");
    wxFileDialog pick(this, _("Save the voucher as PDF"), wxStandardPaths::Get().GetDocumentsDir(),
                      name, _("PDF files (*.pdf)|*.pdf"), wxFD_SAVE | wxFD_OVERWRITE_PROMPT);
    if (pick.ShowModal() == wxID_OK) (void)saveVoucherTo(pick.GetPath());
  });
}

wxString DispenseDialog::saveVoucherTo(const wxString& path) {
  Status saved = shownVoucher_ ? ws::writeVoucherPdf(*shownVoucher_, fromWx(path))
                               : Status(ErrorCode::kConflict, "no voucher is shown");
  if (saved) {
    showStatus(wxString::Format(_("The voucher was saved as %s."), path), true);
    return wxString();
  }
  const wxString error = explain(saved, _("The voucher was not saved."));
  showStatus(error, false);
  return error;
}

void DispenseDialog::bindWindowEvents() {
  // Not closed while a hand-out is under way: its outcome (and the voucher) is shown here.
  Bind(wxEVT_CLOSE_WINDOW, [this](wxCloseEvent& e) {
    if (handingOut_ && e.CanVeto()) {
      wxBell();
      e.Veto();
      return;
    }
    e.Skip();
  });
  // A scanner is a keyboard: whatever has focus here, digits it types land in the code field.
  Bind(wxEVT_CHAR_HOOK, [this](wxKeyEvent& e) {
    const int key = e.GetKeyCode();
    if (handingOut_ && key >= '0' && key <= '9') {
      wxBell();  // a scan during the hand-out is not taken: scan again when it is done
      return;
    }
    if (FindFocus() != code_ && !e.HasAnyModifiers() && key >= '0' && key <= '9') {
      code_->SetFocus();
      code_->AppendText(wxString(static_cast<wxChar>(key)));
      return;
    }
    e.Skip();
  });
}

void DispenseDialog::refreshLines() {
  lines_->DeleteAllItems();
  scanned_->Clear();
  scannedCodes_.clear();
  if (auto packages = dispensing_.scannedNotHandedOut(record_)) {
    for (const auto& p : *packages) {
      scanned_->Append(toWx(p.traceCode + "  " + p.drugName.value_or("")));
      scannedCodes_.push_back(p.traceCode);
    }
  }
  auto progress = dispensing_.progress(record_);
  if (!progress) {
    showStatus(explain(progress.status()), false);
    return;
  }
  for (const auto& l : *progress) {
    wxVector<wxVariant> row;
    row.push_back(toWx(l.drugName));
    // A quantity the photo did not yield is shown as unknown, not as zero.
    const std::string prescribed = ws::quantityText(l.prescribed);
    row.push_back(prescribed.empty() ? wxString::FromUTF8("—") : toWx(prescribed + " " + l.unit));
    row.push_back(l.countable ? wxString::Format(_("%d of %s"), l.scanned, toWx(prescribed))
                              : wxString::Format(_("%d package(s)"), l.scanned));
    lines_->AppendItem(row);
  }
}

void DispenseDialog::showStatus(const wxString& text, bool ok) {
  status_->SetLabel(text);
  status_->SetForegroundColour(ok ? wxColour(20, 120, 40) : wxColour(180, 30, 30));
  status_->Wrap(std::max(status_->GetSize().x, FromDIP(620)));
  Layout();
}

namespace {
// What a refused scan means at the counter; the service's message (which names the earlier
// dispensing, the drug, the count) follows as the detail.
wxString scanHeadline(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kInvalidArgument:
      return _(
          "Not a traceability code: expected 20 digits beginning with 8, or a GS1 code with "
          "(01), (10), (17) and (21).");
    case ErrorCode::kAlreadyExists:
      return _(
          "⚠ This pack was handed out before: do not hand it out. Keep it aside and tell "
          "the supervisor.");
    case ErrorCode::kNotFound:
      return _("This product is not in the pharmacy's product list; a supervisor adds it.");
    case ErrorCode::kConflict:
      return _(
          "This pack does not belong on this prescription now (scanned already, another "
          "drug, one too many, or not yet approved).");
    default:
      return wxString();
  }
}
}  // namespace

void DispenseDialog::onCode() {
  const std::string code = fromWx(code_->GetValue().Strip(wxString::both));
  code_->Clear();
  if (code.empty()) return;
  auto package = dispensing_.scanPackage(record_, code);
  lastScanOk_ = package.isOk();
  if (!package) {
    wxBell();
    showStatus(explain(package.status(), scanHeadline(package.status())), false);
  } else {
    showStatus(wxString::Format(_("✓ %s accepted"), toWx(package->drugName.value_or(code))), true);
  }
  refreshLines();
}

wxString DispenseDialog::takeBack(const std::string& code) {
  Status st = dispensing_.unscanPackage(record_, code);
  showStatus(st ? wxString::Format(_("%s taken back"), toWx(code))
                : explain(st, _("The package was not taken back.")),
             st.isOk());
  refreshLines();
  return st ? wxString() : statusText();
}

void DispenseDialog::takeBackSelected() {
  const int at = scanned_->GetSelection();
  if (at == wxNOT_FOUND || at >= static_cast<int>(scannedCodes_.size())) {
    showStatus(_("Select the package to take back in the list of scanned packages."), false);
    return;
  }
  takeBack(scannedCodes_[static_cast<std::size_t>(at)]);
}

wxString DispenseDialog::scannedText() const {
  wxString text;
  for (unsigned i = 0; i < scanned_->GetCount(); ++i) text << scanned_->GetString(i) << "\n";
  return text;
}

wxString DispenseDialog::scan(const wxString& code) {
  code_->SetValue(code);
  onCode();
  return statusText();
}

wxString DispenseDialog::statusText() const { return status_->GetLabel(); }

wxString DispenseDialog::linesText() const {
  wxString text;
  for (int i = 0; i < lines_->GetItemCount(); ++i)
    text << lines_->GetTextValue(i, 0) << " | " << lines_->GetTextValue(i, 2) << "\n";
  return text;
}

wxString DispenseDialog::prepared() {
  Status st = dispensing_.recordStep(record_, data::DispenseStep::kPrepare);
  showStatus(st ? _("Prepared (调配) recorded.") : explain(st), st.isOk());
  return st ? wxString() : statusText();
}

wxString DispenseDialog::checked() {
  Status st = dispensing_.recordStep(record_, data::DispenseStep::kCheck);
  showStatus(st ? _("Checked (核对) recorded.") : explain(st), st.isOk());
  return st ? wxString() : statusText();
}

void DispenseDialog::handOut(bool partial) {
  if (handingOut_) return;
  // The hand-out asks the chain registry first (a claim, docs/registry.md), which can take as
  // long as the network does: it runs on a worker with its own connection to the store, and the
  // window stays live meanwhile.
  auto worker = session_.forWorker();
  if (!worker) {
    wxBell();
    showStatus(explain(worker.status(), _("Not handed out.")), false);
    lastHandOutError_ = statusText();
    return;
  }
  handingOut_ = true;
  lastHandOutError_.clear();
  for (wxWindow* w : actions_) w->Disable();
  // The voucher shown is the last hand-out's: printed or saved again only once this one is shown.
  print_->Disable();
  savePdf_->Disable();
  SetCursor(*wxHOURGLASS_CURSOR);
  showStatus(_("Handing out…"), true);
  if (handOutThread_.joinable()) handOutThread_.join();  // the last one has finished
  handOutThread_ = std::thread(
      [this, session = std::shared_ptr<ws::Session>(std::move(*worker)), id = record_, partial] {
        beforeHandOut_.run();
        ws::DispensingService service(*session);
        Status st = service.handOut(id, partial);
        const bool offline = service.lastWarning().has_value();
        // Runs only while the dialog exists: the destructor waits for this thread, and wx drops
        // the events of a destroyed window.
        CallAfter([this, st, partial, offline] { finishHandOut(st, partial, offline); });
      });
}

void DispenseDialog::finishHandOut(const Status& st, bool partial, bool offline) {
  handingOut_ = false;
  SetCursor(wxNullCursor);
  for (wxWindow* w : actions_) w->Enable();
  if (!st) {
    wxBell();
    showStatus(explain(st, _("Not handed out.")), false);
    lastHandOutError_ = statusText();
    refreshLines();
    return;
  }
  wxString done = partial ? _("Handed out in part; the rest can be handed out later.")
                          : _("Handed out. The prescription is closed and marked used.");
  // Handed out while the chain registry was away: the other stores learn of it later.
  if (offline)
    done += "\n" + _("The chain registry cannot be reached: the other stores learn of this "
                     "hand-out when it is back.");
  showStatus(done, !offline);
  refreshLines();
  showVoucher();
}

DispenseDialog::~DispenseDialog() {
  // Closing is refused while a hand-out runs; this waits only when the window is torn down
  // regardless (the application quitting), for at most the registry's time-out.
  if (handOutThread_.joinable()) handOutThread_.join();
}

void DispenseDialog::showVoucher() {
  auto v = ws::VoucherService(session_).voucher(record_);
  shownVoucher_.reset();
  if (v) shownVoucher_ = *v;
  auto png = v ? ws::renderVoucherPng(*v, GetDPIScaleFactor()) : Result<std::string>(v.status());
  if (!png) {
    showStatus(explain(png.status(), _("The voucher could not be drawn.")), false);
    return;
  }
  if (!wxImage::FindHandler(wxBITMAP_TYPE_PNG)) wxImage::AddHandler(new wxPNGHandler);
  wxMemoryInputStream in(png->data(), png->size());
  wxImage image(in, wxBITMAP_TYPE_PNG);
  voucher_->SetBitmap(wxBitmap(image));
  voucher_->Show();
  print_->Enable();
  savePdf_->Enable();
  handOut_->Disable();
  Fit();
  CentreOnParent();
}

bool DispenseDialog::voucherShown() const { return voucher_->IsShown(); }

}  // namespace rx::gui
