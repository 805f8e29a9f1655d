// What OCR read from a paper and from a crumpled re-photo of it, for the tests of the rule of the
// picture and the fields together (dedup/page_reuse.h) and of how the window shows it.
#pragma once

#include "dedup/fingerprint.h"

namespace rx::test {

struct CrumpledRephoto {
  dedup::PresentationContent first;  // the paper's first presentation, its number read
  dedup::PresentationContent again;  // the crumpled re-photo
};

// The generator's re-photo 195 (seed 27182): a crumpled sheet with a pharmacy's stamp, its number
// not read, its hospital misread, and one of its three drugs; the date and the patient read the
// same.
inline CrumpledRephoto crumpledRephoto() {
  CrumpledRephoto r;
  r.first.issuer = "上海市徐汇区中心医院";
  r.first.date = "2026-05-14";
  r.first.patient = "唐磊";
  r.first.drugs = {"阿莫西林胶囊", "布洛芬缓释胶囊", "蒙脱石散"};
  r.first.rxNumber = "CF-20260514-7510";
  r.first.numberRead = true;
  r.again = r.first;
  r.again.rxNumber.clear();
  r.again.numberRead = false;
  r.again.issuer = "上海市涂江区申心疾院";
  r.again.drugs = {"阿莫西林胶囊", "布洛芬缓释胶囊", "蒙脱石"};
  return r;
}

}  // namespace rx::test
