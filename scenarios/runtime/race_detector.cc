// runtime/race_detector.cc — see race_detector.h (the detector is inline: it
// runs on every shared.read / shared.write step).
#include "runtime/race_detector.h"
