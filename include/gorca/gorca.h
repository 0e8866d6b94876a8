/* libgorca umbrella header: includes every public header. Pointers returned by a gorca object's
 * functions belong to that object and die with its _free() unless a comment says "owned". */
#ifndef GORCA_H
#define GORCA_H

#include "error.h"
#include "limits.h"
#include "buf.h"
#include "io.h"
#include "profile.h"
#include "capture.h"
#include "bundle.h"
#include "trace.h"
#include "analysis.h"
#include "dump.h"
#include "inspect.h"

#define GORCA_VERSION "0.1.0"

#endif
