// The main window: the prescription queue, the menu and a status bar naming user and store.
#pragma once

#include <wx/frame.h>
#include <wx/timer.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>

#include <memory>
#include <optional>
#include <vector>

#include "chain_status.h"
#include "intake_job.h"
#include "progress_row.h"
#include "store_task.h"
#include "workstation/intake.h"
#include "workstation/review.h"
#include "workstation/session.h"
#include "workstation/watched_folder.h"

class wxDataViewListCtrl;
class wxGauge;
class wxInfoBar;
class wxStaticText;
class wxChoice;
class wxPanel;

class wxMenu;

namespace rx::gui {

class LoginDialog;

class MainFrame : public wxFrame {
 public:
  explicit MainFrame(std::unique_ptr<ws::Session> session);
  ~MainFrame() override;

  wxDataViewListCtrl* queue() const { return queue_; }
  ws::Session& session() { return *session_; }
  // The record shown in queue row `row`.
  std::int64_t recordAt(int row) const { return rows_.at(static_cast<std::size_t>(row)); }
  void refreshQueue();
  // Opens "presented before?" for `record` (modal; the tests use the dialog without showing it).
  void showReuse(std::int64_t record);
  // Enter or double-click on a row: review while waiting or in review, dispensing once approved,
  // the reuse evidence otherwise.
  void openRecord(std::int64_t record);
  // Asks the chain registry for its status now, on a thread of its own; the status bar's last
  // field shows it (the window does so every 15 s).
  void tickChainStatus();

  // Intake (File ▸ Take in…, Ctrl+O, or files and folders dropped on the window): photos and
  // e-prescription JSON are read and presented off the UI thread (on the store's second
  // connection), with progress and Cancel above the queue; each joins the queue as soon as it is
  // presented. False while another intake runs.
  bool takeIn(std::vector<std::string> files);
  bool intakeRunning() const;
  void cancelIntake();
  struct IntakeOutcome {
    std::string file;
    std::int64_t record = 0;  // 0: not taken in
    bool reuse = false;       // presented before (suspected or certain)
    wxString error;
  };
  // What the last intake did, file by file (also summed up in the bar above the queue).
  const std::vector<IntakeOutcome>& intakeOutcomes() const { return outcomes_; }
  wxString intakeSummary() const;
  static constexpr unsigned kReuseColumn = 7;  // of the queue
  // The Reuse column of queue row `row` as the pharmacist reads it (without its colour).
  wxString reuseLabel(int row) const;
  // Whether the infobar offers Details… for files that were not taken in.
  bool intakeDetailsOffered() const { return intakeDetailsOffered_; }

  // The watched folder (setting intake.watch_folder; ws::WatchedFolder): each poll takes in the
  // files that have not changed since the previous poll, then moves each into the folder's
  // "taken-in" subfolder, or "not-taken-in" when it could not be read (the reason is in the
  // summary bar). A timer polls every few seconds while the window is unlocked and no other
  // intake runs. Returns how many files this poll started taking in.
  std::size_t pollWatchedFolder();

  // Locks the window (the queue is hidden) until the user's password is given again; another
  // user's login takes over the window (a shared counter computer). Ctrl+L, or idle time
  // (setting session.idle_lock_minutes).
  void lock();
  bool locked() const { return lockDialog_ != nullptr; }
  LoginDialog* lockDialog() const { return lockDialog_; }
  // Any key or click, wherever it lands: resets the idle clock (RxdeskApp::FilterEvent).
  static void noteActivity();
  // Runs the scheduled backup if one is due (on a worker, StoreTask) and shows the last backup on
  // the status bar.
  void checkBackup();
  // Admins are told while a re-key cut off by a power cut is not finished (data::Store).
  void warnIfRekeyPending();
  // File ▸ Back up now…: starts writing a backup to `file` on a worker, with progress (admins
  // and supervisors); the menu asks for the file. Errors are shown to the user; one that stops it
  // from starting (a backup or export under way) is also returned, the outcome of the writing is
  // lastStoreTask() once storeTaskRunning() is false.
  Status backupTo(const std::string& file);
  // File ▸ Export for inspectors… (supervisors): the period's records into an empty `folder`,
  // signed, on a worker with progress; errors as backupTo.
  Status exportTo(const std::string& folder, const std::string& from, const std::string& to,
                  bool maskPatients);
  // Whether a backup or an export is being written, and the outcome of the last one.
  bool storeTaskRunning() const;
  const Status& lastStoreTask() const { return lastStoreTask_; }
  // The row's Cancel: stops the backup or export under way at its next step; nothing it wrote is
  // left behind and lastStoreTask() is then kCancelled. Only for the user who started it.
  void cancelStoreTask();
  ProgressRow* storeTaskRow() const { return taskRow_; }

 private:
  // Construction steps, in the order the controls are created (which is the tab order).
  void buildHeader(wxSizer* top);
  void buildBars(wxSizer* top);
  void buildQueue(wxSizer* top);
  void buildStatusBar();
  void startTimers();
  void onKey(wxKeyEvent& e);
  void buildMenu();
  void addIntakeItems(wxMenu* file);
  void addRecordItems(wxMenu* file);
  void addStoreItems(wxMenu* file);
  void onAbout(wxCommandEvent&);
  void onTimer(wxTimerEvent&);
  void unlocked(std::unique_ptr<ws::Session> session);
  void showUser();
  void presented(const std::string& file, std::int64_t record, bool reuse, const Status& error);
  void intakeFinished(bool cancelled);
  // A backup or an export on a worker, shown on the progress row (at once, or when `quiet` from its
  // first progress: the launch's check of the daily backup, which mostly has nothing to write).
  Status startStoreTask(wxString message, StoreTask::Work work,
                        std::function<void(const Status&)> finished, bool quiet = false);
  void showBackupStatus(const Status& lastRun = Status());

  std::unique_ptr<ws::Session> session_;
  std::unique_ptr<ws::ReviewService> review_;
  std::vector<std::int64_t> rows_;
  std::vector<wxString> reuseLabels_;  // per row, plain
  wxDataViewListCtrl* queue_;
  wxStaticText* emptyNote_;
  wxChoice* filter_;
  wxPanel* panel_;
  wxTimer timer_;
  LoginDialog* lockDialog_ = nullptr;
  std::chrono::steady_clock::time_point lastBackupCheck_{};
  IntakeWorker intakeWorker_;  // declared before intake_, which uses it
  std::unique_ptr<IntakeJob> intake_;
  std::unique_ptr<ChainStatusJob> chainStatus_;
  std::unique_ptr<StoreTask> storeTask_;  // a backup or an export; waited for when destroyed
  Status lastStoreTask_;
  std::string storeTaskStartedBy_;  // only they may cancel it
  std::vector<IntakeOutcome> outcomes_;
  ProgressRow* intakeRow_ = nullptr;  // the intake under way, with Cancel
  ProgressRow* taskRow_ = nullptr;    // the backup or export under way, with Cancel
  wxInfoBar* infoBar_ = nullptr;
  static constexpr int kIntakeDetailsId = wxID_HIGHEST + 41;
  bool intakeDetailsOffered_ = false;
  void showIntakeSummary(bool problems);
  void showIntakeDetails();
  wxString intakeSummary_;
  wxString lastIntakeFolder_;  // where Take in files… opens
  wxTimer watchTimer_;
  std::optional<ws::WatchedFolder> watched_;  // the folder of setting intake.watch_folder
  bool watchIntake_ = false;                  // the running intake came from the watched folder
};

}  // namespace rx::gui
