#include "data/reports.h"

namespace rx::data {

const std::vector<ReportQuery>& reportQueries() {
  // Grouped by UTC hour (a prefix of the stored time, cheap to cut); the workstation turns hours
  // into Beijing days. Each reads only its covering index (migration 9).
  static const std::vector<ReportQuery> queries = {
      {"decisions_by_hour",
       "SELECT substr(decided_at, 1, 13), decision, count(*), decided_by FROM review_decisions "
       "WHERE decided_at >= ?1 AND decided_at < ?2 GROUP BY 1, 2, 4"},
      {"rejection_reasons",
       "SELECT r.value, '', count(*) FROM review_decisions d, json_each(d.payload, '$.reasons') r "
       "WHERE d.decision = 'reject' AND d.decided_at >= ?1 AND d.decided_at < ?2 GROUP BY 1 "
       "ORDER BY 3 DESC, 1"},
      {"reuse_alerts_by_hour",
       "SELECT substr(found_at, 1, 13), verdict, count(*) FROM reuse_findings WHERE verdict <> "
       "'new' AND found_at >= ?1 AND found_at < ?2 GROUP BY 1, 2"},
      {"reuse_overrules",
       "SELECT overruled_by, '', count(*) FROM reuse_findings WHERE overruled_by IS NOT NULL AND "
       "overruled_at >= ?1 AND overruled_at < ?2 GROUP BY 1 ORDER BY 1"},
      {"signature_failures_by_provider",
       "SELECT coalesce(nullif(json_extract(verdict, '$.agreement.provider'), ''), 'key ' || "
       "coalesce(key_id, '?')), '', count(*) FROM erx_verifications WHERE accepted = 0 AND "
       "verified_at >= ?1 AND verified_at < ?2 GROUP BY 1 ORDER BY 3 DESC, 1"},
      {"consultations_by_hour",
       "SELECT substr(at, 1, 13), channel, count(*) FROM consultations WHERE at >= ?1 AND at < ?2 "
       "GROUP BY 1, 2"},
  };
  return queries;
}

Result<std::vector<CountRow>> runReport(Connection& conn, const ReportQuery& q,
                                        const std::string& fromUtc, const std::string& toUtc) {
  RX_ASSIGN_OR_RETURN(Statement st, conn.prepare(q.sql));
  st.bind(1, fromUtc).bind(2, toUtc);
  return st.collect([](const Statement& s) -> CountRow {
    return {s.columnText(0), s.columnText(1), s.columnInt(2),
            s.columnIsNull(3) ? std::string() : s.columnText(3)};
  });
}

}  // namespace rx::data
