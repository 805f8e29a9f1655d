#include "admin_dialog.h"

#include <wx/button.h>
#include <wx/dataview.h>
#include <wx/filedlg.h>
#include <wx/intl.h>
#include <wx/notebook.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>
#include <wx/textdlg.h>

#include "ask.h"
#include "data/files.h"
#include "form_layout.h"
#include "labels.h"
#include "workstation/agreements.h"
#include "wx_convert.h"

namespace rx::gui {

namespace {

wxString statusLabel(data::AgreementStatus s) {
  switch (s) {
    case data::AgreementStatus::kActive:
      return _("active");
    case data::AgreementStatus::kSuspended:
      return _("suspended");
    case data::AgreementStatus::kRevoked:
      return _("revoked");
  }
  return wxString();
}

// Drug class codes as a person reads them, joined.
wxString joinedClasses(const std::vector<std::string>& codes) {
  wxString out;
  for (const auto& c : codes) out += (out.empty() ? "" : _(", ")) + drugClassLabel(c);
  return out;
}

}  // namespace

AdminDialog::AdminDialog(wxWindow* parent, ws::Session& session)
    : wxDialog(parent, wxID_ANY, _("Administration"), wxDefaultPosition, wxDefaultSize,
               wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER),
      session_(session),
      admin_(session.user().role == data::Role::kAdmin),
      supervisor_(session.user().role == data::Role::kSupervisor) {
  auto* top = new wxBoxSizer(wxVERTICAL);
  pages_ = new wxNotebook(this, wxID_ANY);
  if (admin_) pages_->AddPage(buildUsers(pages_), _("Users"));
  pages_->AddPage(buildAgreements(pages_), _("Provider agreements"));
  pages_->AddPage(buildSettings(pages_), _("Settings"));
  top->Add(pages_, 1, wxEXPAND | wxALL, FromDIP(10));
  error_ = makeErrorLine(this);
  top->Add(error_, 0, wxEXPAND | wxLEFT | wxRIGHT, FromDIP(10));
  top->Add(makeCloseButton(this), 0, wxALIGN_RIGHT | wxALL, FromDIP(10));
  SetSizerAndFit(top);
  if (admin_) loadUsers();
  loadAgreements();
  loadSettings();
  CentreOnParent();
}

wxString AdminDialog::fail(const Status& status) {
  return showErrorLine(error_, explain(status), 720);
}

wxString AdminDialog::errorText() const { return error_->GetLabel(); }

// --- Agreements ------------------------------------------------------------------------------

wxWindow* AdminDialog::buildAgreements(wxNotebook* book) {
  auto* page = new wxPanel(book);
  auto* sizer = new wxBoxSizer(wxVERTICAL);
  agreements_ = makeList(page, 720, 170,
                         {{_("Agreement"), 150},
                          {_("Provider"), 220},
                          {_("Status"), 90},
                          {_("Valid from"), 110},
                          {_("Valid until"), 110}});
  sizer->Add(agreements_, 1, wxEXPAND | wxALL, FromDIP(8));
  agreementText_ = new wxTextCtrl(page, wxID_ANY, wxEmptyString, wxDefaultPosition,
                                  FromDIP(wxSize(720, 150)), wxTE_MULTILINE | wxTE_READONLY);
  sizer->Add(agreementText_, 1, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, FromDIP(8));
  auto* row = new wxBoxSizer(wxHORIZONTAL);
  // Not named `import`: clang-format reads that as a C++20 module import.
  auto* importButton = new wxButton(page, wxID_ANY, _("&Import…"));
  auto* suspend = new wxButton(page, wxID_ANY, _("&Suspend…"));
  auto* resume = new wxButton(page, wxID_ANY, _("R&esume…"));
  auto* revoke = new wxButton(page, wxID_ANY, _("Re&voke…"));
  for (wxButton* b : {importButton, suspend, resume, revoke}) {
    row->Add(b, 0, wxRIGHT, FromDIP(6));
    b->Enable(admin_ || supervisor_);
  }
  sizer->Add(row, 0, wxLEFT | wxRIGHT | wxBOTTOM, FromDIP(8));
  page->SetSizer(sizer);
  bindAgreementButtons(importButton, suspend, resume, revoke);
  return page;
}

void AdminDialog::bindAgreementButtons(wxButton* importButton, wxButton* suspend, wxButton* resume,
                                       wxButton* revoke) {
  agreements_->Bind(wxEVT_DATAVIEW_SELECTION_CHANGED,
                    [this](wxDataViewEvent&) { selectAgreement(agreements_->GetSelectedRow()); });
  importButton->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
    wxFileDialog pick(this, _("A provider agreement to import"), wxEmptyString, wxEmptyString,
                      _("Agreements (*.json)|*.json|All files|*"),
                      wxFD_OPEN | wxFD_FILE_MUST_EXIST);
    if (pick.ShowModal() == wxID_OK) importAgreement(fromWx(pick.GetPath()), true);
  });
  auto change = [this](data::AgreementStatus to, const wxString& title) {
    const int row = agreements_->GetSelectedRow();
    if (row == wxNOT_FOUND) return;
    wxTextEntryDialog ask(this, _("Reason (kept in the agreement's history and the audit log):"),
                          title);
    if (ask.ShowModal() == wxID_OK) changeAgreement(row, to, ask.GetValue());
  };
  suspend->Bind(wxEVT_BUTTON, [change](wxCommandEvent&) {
    change(data::AgreementStatus::kSuspended, _("Suspend the agreement"));
  });
  resume->Bind(wxEVT_BUTTON, [change](wxCommandEvent&) {
    change(data::AgreementStatus::kActive, _("Resume the agreement"));
  });
  revoke->Bind(wxEVT_BUTTON, [change](wxCommandEvent&) {
    change(data::AgreementStatus::kRevoked, _("Revoke the agreement (final)"));
  });
}

void AdminDialog::loadAgreements() {
  agreements_->DeleteAllItems();
  agreementNos_.clear();
  agreementText_->Clear();
  auto list = ws::AgreementService(session_).list();
  if (!list) {
    fail(list.status());
    return;
  }
  for (const auto& a : *list) {
    wxVector<wxVariant> row;
    row.push_back(toWx(a.record.agreementNo));
    row.push_back(toWx(a.record.providerName));
    row.push_back(statusLabel(a.status));
    row.push_back(toWx(a.record.validFrom));
    row.push_back(toWx(a.record.validUntil));
    agreements_->AppendItem(row);
    agreementNos_.push_back(a.record.agreementNo);
  }
}

int AdminDialog::agreementRows() const { return agreements_->GetItemCount(); }

void AdminDialog::selectAgreement(int row) {
  agreementText_->Clear();
  if (row < 0 || row >= agreementRows()) return;
  if (agreements_->GetSelectedRow() != row) agreements_->SelectRow(static_cast<unsigned>(row));
  auto a = ws::AgreementService(session_).show(agreementNos_.at(static_cast<std::size_t>(row)));
  if (!a) {
    fail(a.status());
    return;
  }
  const data::AgreementRecord& r = a->record;
  wxString t;
  t << wxString::Format(_("Agreement %s — %s"), toWx(r.agreementNo), statusLabel(a->status)) << "\n"
    << wxString::Format(_("Provider: %s, unified social credit code %s, licence %s"),
                        toWx(r.providerName), toWx(r.providerUscc), toWx(r.providerLicence))
    << "\n"
    << wxString::Format(_("Valid %s to %s; drug classes: %s"), toWx(r.validFrom),
                        toWx(r.validUntil), joinedClasses(r.scope))
    << "\n"
    << wxString::Format(_("Imported %s by %s; countersigned with key %s"),
                        beijingTime(r.importedAt), toWx(session_.shownName(r.importedBy)),
                        toWx(r.countersignKeyId))
    << "\n"
    << _("Signing keys pinned:") << "\n";
  for (const auto& k : r.keys) t << "  " << toWx(k.keyType) << "  " << toWx(k.keyId) << "\n";
  if (!a->history.empty()) t << _("History:") << "\n";
  for (const auto& h : a->history)
    t << "  " << beijingTime(h.effectiveAt) << "  " << statusLabel(h.status) << "  "
      << toWx(session_.shownName(h.byUser)) << "  "
      << (h.reason == "imported" ? _("imported") : toWx(h.reason)) << "\n";
  agreementText_->SetValue(t);
}

wxString AdminDialog::agreementDetail() const { return agreementText_->GetValue(); }

wxString AdminDialog::importAgreement(const std::string& file, bool confirm) {
  auto text = data::readWholeFile(file, ws::kMaxAgreementBytes);
  if (!text) return fail(text.status());
  ws::AgreementService service(session_);
  auto doc = service.inspect(*text, file);
  if (!doc) return fail(doc.status());
  preview_.clear();
  preview_ << wxString::Format(_("Agreement %s"), toWx(doc->agreementNo)) << "\n"
           << wxString::Format(_("Provider: %s (%s)"), toWx(doc->provider.name),
                               toWx(doc->provider.uscc))
           << "\n"
           << wxString::Format(_("Pharmacy: %s (%s)"), toWx(doc->pharmacy.name),
                               toWx(doc->pharmacy.uscc))
           << "\n"
           << wxString::Format(_("Valid %s to %s; drug classes: %s"), toWx(doc->validFrom),
                               toWx(doc->validUntil), joinedClasses(doc->scope))
           << "\n\n"
           << _("Compare these key fingerprints with the provider, by phone or in person:") << "\n";
  for (const auto& k : doc->keys)
    preview_ << "  " << toWx(std::string(crypto::keyTypeName(k.type()))) << "  " << toWx(k.keyId())
             << "\n";
  if (confirm && !askYesNo(this, preview_ + "\n" + _("Accept and countersign this agreement?"),
                           _("Import a provider agreement")))
    return wxString();
  auto imported = service.import(*text, file);
  if (!imported) return fail(imported.status());
  loadAgreements();
  for (int row = 0; row < agreementRows(); ++row)
    if (agreementNos_[static_cast<std::size_t>(row)] == doc->agreementNo) selectAgreement(row);
  return fail(Status::ok());
}

wxString AdminDialog::changeAgreement(int row, data::AgreementStatus to, const wxString& reason) {
  if (row < 0 || row >= agreementRows())
    return fail(Status(ErrorCode::kInvalidArgument, "no agreement selected"));
  auto changed = ws::AgreementService(session_).changeStatus(
      agreementNos_.at(static_cast<std::size_t>(row)), to, fromWx(reason));
  if (!changed) return fail(changed.status());
  loadAgreements();
  selectAgreement(row);
  return fail(Status::ok());
}

}  // namespace rx::gui
