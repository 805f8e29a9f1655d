#include "data/reports.h"

namespace rx::data {

const std::vector<ReportQuery>& reportQueries() {
  // Days are Beijing days: the stored UTC time plus 8 hours.
  static const std::vector<ReportQuery> queries = {
      {"decisions_per_day",
       "SELECT date(decided_at, '+8 hours'), decision, count(*) FROM review_decisions WHERE "
       "decided_at >= ?1 AND decided_at < ?2 GROUP BY 1, 2 ORDER BY 1, 2"},
      {"decisions_per_pharmacist",
       "SELECT decided_by, decision, count(*) FROM review_decisions WHERE decided_at >= ?1 AND "
       "decided_at < ?2 GROUP BY 1, 2 ORDER BY 1, 2"},
      {"rejection_reasons",
       "SELECT r.value, '', count(*) FROM review_decisions d, json_each(d.payload, '$.reasons') r "
       "WHERE d.decision = 'reject' AND d.decided_at >= ?1 AND d.decided_at < ?2 GROUP BY 1 "
       "ORDER BY 3 DESC, 1"},
      {"reuse_alerts_per_day",
       "SELECT date(found_at, '+8 hours'), verdict, count(*) FROM reuse_findings WHERE verdict <> "
       "'new' AND found_at >= ?1 AND found_at < ?2 GROUP BY 1, 2 ORDER BY 1, 2"},
      {"reuse_overrules",
       "SELECT overruled_by, '', count(*) FROM reuse_findings WHERE overruled_by IS NOT NULL AND "
       "overruled_at >= ?1 AND overruled_at < ?2 GROUP BY 1 ORDER BY 1"},
      {"signature_failures_by_provider",
       "SELECT coalesce(nullif(json_extract(verdict, '$.agreement.provider'), ''), 'key ' || "
       "coalesce(key_id, '?')), '', count(*) FROM erx_verifications WHERE accepted = 0 AND "
       "verified_at >= ?1 AND verified_at < ?2 GROUP BY 1 ORDER BY 3 DESC, 1"},
      {"consultations_per_day",
       "SELECT date(at, '+8 hours'), channel, count(*) FROM consultations WHERE at >= ?1 AND at < "
       "?2 GROUP BY 1, 2 ORDER BY 1, 2"},
  };
  return queries;
}

Result<std::vector<CountRow>> runReport(Connection& conn, const ReportQuery& q,
                                        const std::string& fromUtc, const std::string& toUtc) {
  RX_ASSIGN_OR_RETURN(Statement st, conn.prepare(q.sql));
  st.bind(1, fromUtc).bind(2, toUtc);
  return st.collect([](const Statement& s) -> CountRow {
    return {s.columnText(0), s.columnText(1), s.columnInt(2)};
  });
}

}  // namespace rx::data
