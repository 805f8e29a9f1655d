// Process set-up for OCR. Tesseract's OpenMP threads made recognition ~4x slower on the 2-core
// counter PCs, and libgomp reads OMP_THREAD_LIMIT once, when it is loaded, before main() runs, so
// setting it later has no effect. Programs that run OCR call this first thing in main(). The
// re-exec loads the program's ~210 shared libraries a second time (0.25 s of a 2-core PC's start,
// measured with `rxdesk --help`). Setting the variable from the executable's ELF pre-init array
// does not work: glibc sets the environment again after it.
#pragma once

namespace rx::ocr {

// If OMP_THREAD_LIMIT is not set, sets it to 1 and re-executes the program with the same
// arguments (returns only if it is already set or the re-exec failed).
void ensureSingleThreadedOpenMp(char** argv);

}  // namespace rx::ocr
