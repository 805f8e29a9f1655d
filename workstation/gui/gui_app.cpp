#include "gui_app.h"

#include <langinfo.h>

#include <clocale>
#include <cstring>

#include <wx/cmdline.h>
#include <wx/filename.h>
#include <wx/intl.h>
#include <wx/msgdlg.h>
#include <wx/stdpaths.h>
#include <wx/translation.h>
#include <wx/uilocale.h>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include "first_run_dialog.h"
#include "intake_job.h"
#include "login_dialog.h"
#include "main_frame.h"
#include "workstation/demo.h"
#include "workstation/paths.h"
#include "wx_convert.h"

namespace rx::gui {

wxString setupTranslations(const wxString& language) {
  wxUILocale::UseDefault();
  // Our sources (and so every _("…") msgid) are UTF-8, and wxWidgets turns narrow strings into
  // wxString with the C library's character set. When the system's locale is "C"/POSIX, or names a
  // locale this machine has not generated (LANG=zh_CN.UTF-8 on a minimal install), that character
  // set is ASCII: every string with a non-ASCII character (…, —) came out empty — blank menu items
  // and an assertion dialog at start. Character conversion is UTF-8 whatever the system locale.
  if (std::strcmp(nl_langinfo(CODESET), "UTF-8") != 0) std::setlocale(LC_CTYPE, "C.UTF-8");
  wxFileName exe(wxStandardPaths::Get().GetExecutablePath());
  exe.RemoveLastDir();
  exe.AppendDir("share");
  exe.AppendDir("locale");
  wxFileTranslationsLoader::AddCatalogLookupPathPrefix(exe.GetPath());
  auto* translations = new wxTranslations;
  if (!language.empty()) translations->SetLanguage(language);
  wxTranslations::Set(translations);
  translations->AddStdCatalog();
  translations->AddCatalog("rxdesk");
  return translations->GetBestTranslation("rxdesk");
}

void RxdeskApp::OnInitCmdLine(wxCmdLineParser& parser) {
  wxApp::OnInitCmdLine(parser);
  parser.AddSwitch("", "demo", "open the demo store in your data folder (created on first use)");
  parser.AddOption("", "db", "store file (default: the store in your data folder)");
  parser.AddOption("", "lang", "interface language: zh_CN or en (default: the system's)");
  parser.AddParam("photos or e-prescriptions (files or folders) to take in after login",
                  wxCMD_LINE_VAL_STRING, wxCMD_LINE_PARAM_OPTIONAL | wxCMD_LINE_PARAM_MULTIPLE);
}

bool RxdeskApp::OnCmdLineParsed(wxCmdLineParser& parser) {
  demo_ = parser.Found("demo");
  parser.Found("db", &db_);
  parser.Found("lang", &language_);
  for (std::size_t i = 0; i < parser.GetParamCount(); ++i) {
    const std::string path = fromWx(parser.GetParam(i));
    if (wxDirExists(parser.GetParam(i))) {
      for (auto& f : ws::intakeFilesIn(path)) takeIn_.push_back(std::move(f));
    } else {
      takeIn_.push_back(path);
    }
  }
  return wxApp::OnCmdLineParsed(parser);
}

bool RxdeskApp::OnInit() {
  if (!wxApp::OnInit()) return false;
  SetAppName("rxdesk");
  setupTranslations(language_);

  const std::string folder = ws::dataFolder();
  if (ws::ensurePrivateFolder(folder)) {
    // The log holds events and errors, never patient data.
    auto log = spdlog::basic_logger_mt("rxdesk", folder + "/rxdesk.log");
    spdlog::set_default_logger(log);
    spdlog::flush_on(spdlog::level::warn);
  }

  LoginDialog::Options options;
  if (demo_) {
    options.storePath = ws::demoStorePathAdopted();
    // The demo files outside the store's own folder: browsing to them in the file dialog must not
    // open the store's files (that would drop SQLite's locks on them in this process).
    auto created = ws::ensureDemoStore(options.storePath, ws::demoFilesFolder());
    if (!created) {
      wxMessageBox(explain(created.status(), _("The demo store could not be created.")),
                   _("rxdesk"), wxICON_ERROR);
      return false;
    }
    // Made days ago, its e-prescriptions have expired: fresh ones to work with (once a day at
    // most; the check alone reads one file).
    if (created && !*created) {
      auto fresh = ws::freshenDemoStore(options.storePath, ws::demoFilesFolder());
      if (!fresh)
        spdlog::warn("the demo documents could not be renewed: {}", fresh.status().message());
    }
    options.presetUser = ws::kDemoPharmacist;
    options.hint = wxString::Format(
        _("Demo store. Accounts: pharmacist, supervisor, admin; password: %s"), ws::kDemoPassword);
  } else {
    options.storePath = db_.empty() ? ws::defaultStorePathAdopted() : fromWx(db_);
    if (!wxFileName::FileExists(toWx(options.storePath))) {
      // First run on this computer: set up the pharmacy, then log in as its first pharmacist.
      FirstRunDialog setup(nullptr, options.storePath);
      if (setup.ShowModal() != wxID_OK) return false;
      options.storePath = setup.storePath();
      options.presetUser = setup.pharmacist();
    }
  }

  LoginDialog login(nullptr, options);
  if (login.ShowModal() != wxID_OK) return false;
  auto* frame = new MainFrame(login.takeSession());
  frame->Show();
  SetTopWindow(frame);
  if (!takeIn_.empty()) frame->takeIn(std::move(takeIn_));  // `rxdesk FILES…`, "Open with"
  return true;
}

int RxdeskApp::FilterEvent(wxEvent& event) {
  const wxEventType t = event.GetEventType();
  if (t == wxEVT_KEY_DOWN || t == wxEVT_LEFT_DOWN || t == wxEVT_RIGHT_DOWN ||
      t == wxEVT_MOUSEWHEEL || t == wxEVT_MOTION)
    MainFrame::noteActivity();
  return Event_Skip;
}

bool RxdeskApp::OnExceptionInMainLoop() {
  try {
    throw;
  } catch (const std::exception& e) {
    spdlog::error("unexpected error: {}", e.what());
    wxMessageBox(_("rxdesk met an unexpected error and must close. Your saved work is kept.") +
                     "\n\n" + toWx(e.what()),
                 _("rxdesk"), wxICON_ERROR);
  }
  return false;
}

}  // namespace rx::gui
