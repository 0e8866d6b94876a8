/* Every public header together in one translation unit: the analysis API must not clash with
 * the other modules' names (dump.h has its own goroutine and wait-class types). */
#include "gorca/gorca.h"
#include "gorca/analysis.h"
#include "gorca/dump.h"
#include "gorca/profile.h"
#include "gorca/trace.h"
#include "gorca/diagnosis.h"
#include "gorca/report.h"
#include "test.h"

TEST(headers_coexist)
{
    /* Both vocabularies are usable side by side. */
    ASSERT_STREQ(gorca_block_class_name(GORCA_BLOCK_NET), "net");
    ASSERT_EQ_INT(gorca_block_class_of_reason("chan send"), GORCA_BLOCK_SYNC);
    ASSERT_EQ_INT(gorca_block_class_of_reason("synctest"), GORCA_BLOCK_SYNC);
    ASSERT_EQ_INT(gorca_block_class_of_reason("GC mark assist wait for work"), GORCA_BLOCK_GC);
    ASSERT_EQ_INT(gorca_block_class_of_reason("network"), GORCA_BLOCK_NET);
    ASSERT_EQ_INT(gorca_block_class_of_reason("sleep"), GORCA_BLOCK_SLEEP);
    ASSERT_EQ_INT(gorca_block_class_of_reason("system goroutine wait"), GORCA_BLOCK_OTHER);
    ASSERT_EQ_INT(gorca_block_class_of_reason(NULL), GORCA_BLOCK_OTHER);
    ASSERT_TRUE(GORCA_WAIT_NETWORK != GORCA_WAIT_N_CLASSES);
    ASSERT_EQ_INT(gorca_analysis_sync_mode(23), GORCA_TRACE_SYNC_AT_END);
    ASSERT_EQ_INT(gorca_analysis_sync_mode(25), GORCA_TRACE_SYNC_AT_START);
    ASSERT_EQ_INT(gorca_analysis_compat(NULL, 23), 23);
    ASSERT_EQ_INT(gorca_analysis_compat(NULL, 19), 26);
}

TEST_MAIN({ RUN(headers_coexist); })
