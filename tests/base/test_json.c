/* Tests for src/base/json.c: structure, escaping and that jansson parses what we write. */
#include <jansson.h>
#include "test.h"
#include "base/json.h"

TEST(nested_compact)
{
    struct gorca_buf b;
    struct jw w;

    gorca_buf_init(&b, 0);
    jw_init(&w, &b, 0);
    jw_obj(&w);
    jw_kstr(&w, "a", "x\"y\\\n\x01");
    jw_key(&w, "l");
    jw_arr(&w);
    jw_u64(&w, 1);
    jw_i64(&w, -2);
    jw_dbl(&w, 0.5, 6);
    jw_obj(&w);
    jw_end(&w);
    jw_arr(&w);
    jw_end(&w);
    jw_end(&w);
    jw_kbool(&w, "t", 1);
    jw_end(&w);
    ASSERT_STREQ(b.data, "{\"a\":\"x\\\"y\\\\\\n\\u0001\",\"l\":[1,-2,0.5,{},[]],\"t\":true}");
    gorca_buf_release(&b);
}

TEST(indented_output_parses_and_invalid_utf8_replaced)
{
    struct gorca_buf b;
    struct jw w;
    json_error_t e;
    json_t *root;

    gorca_buf_init(&b, 0);
    jw_init(&w, &b, 2);
    jw_obj(&w);
    jw_kstr(&w, "bad", "a\xff\xc3\xa9z");
    jw_kdbl(&w, "nan", 0.0 / 0.0, 6);
    jw_end(&w);
    root = json_loads(b.data, 0, &e);
    ASSERT_TRUE(root != NULL);
    ASSERT_STREQ(json_string_value(json_object_get(root, "bad")), "a\xef\xbf\xbd\xc3\xa9z");
    ASSERT_TRUE(json_is_null(json_object_get(root, "nan")));
    json_decref(root);
    gorca_buf_release(&b);
}

TEST_MAIN({
    RUN(nested_compact);
    RUN(indented_output_parses_and_invalid_utf8_replaced);
})
