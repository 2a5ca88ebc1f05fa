/* test_diag - the pieces of issue 9 that need no preload: the
 * async-signal-safe formatters (addresses, times, JSON strings), the
 * command's JSON Lines reader, the logging knobs. */
#include "fmt.h"
#include "jsonl.h"
#include "logsettings.h"
#include "ut.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

static const char *fmt_addr(int family, const char *text, unsigned port)
{
    static char out[128];
    struct gc_addr a = {.family = (uint16_t)family, .port = (uint16_t)port};
    struct gc_buf b;

    inet_pton(family, text, a.addr);
    gc_buf_init(&b, out, sizeof out);
    gc_put_addr(&b, &a);
    out[b.len] = '\0';
    return out;
}

static void test_addresses(void)
{
    CHECK_STR(fmt_addr(AF_INET, "127.0.0.1", 80), "127.0.0.1:80");
    CHECK_STR(fmt_addr(AF_INET, "0.0.0.0", 0), "0.0.0.0:0");
    CHECK_STR(fmt_addr(AF_INET6, "::1", 443), "[::1]:443");
    CHECK_STR(fmt_addr(AF_INET6, "::", 1), "[::]:1");
    CHECK_STR(fmt_addr(AF_INET6, "2001:db8::7", 5), "[2001:db8::7]:5");
    CHECK_STR(fmt_addr(AF_INET6, "2001:db8:0:0:1:0:0:1", 5), "[2001:db8::1:0:0:1]:5");
    CHECK_STR(fmt_addr(AF_INET6, "2001:0:0:1:0:0:0:1", 5), "[2001:0:0:1::1]:5");
    CHECK_STR(fmt_addr(AF_INET6, "fe80::", 5), "[fe80::]:5");
    CHECK_STR(fmt_addr(AF_INET6, "1:2:3:4:5:6:7:8", 5), "[1:2:3:4:5:6:7:8]:5");
    CHECK_STR(fmt_addr(AF_INET6, "1:0:3:4:5:6:7:8", 5), "[1:0:3:4:5:6:7:8]:5");
    CHECK_STR(fmt_addr(AF_INET6, "::ffff:192.0.2.1", 9), "[::ffff:192.0.2.1]:9");
    struct gc_addr none = {0};
    char out[8];
    struct gc_buf b;
    gc_buf_init(&b, out, sizeof out);
    gc_put_addr(&b, &none);
    out[b.len] = '\0';
    CHECK_STR(out, "?");
}

static void test_numbers_and_times(void)
{
    char out[128];
    struct gc_buf b;

    gc_buf_init(&b, out, sizeof out);
    gc_put_u64(&b, 0);
    gc_putc(&b, ' ');
    gc_put_u64(&b, UINT64_MAX);
    gc_putc(&b, ' ');
    gc_put_i64(&b, INT64_MIN);
    gc_putc(&b, ' ');
    gc_put_ms(&b, 1234567);
    gc_putc(&b, ' ');
    gc_put_ms(&b, 5);
    out[b.len] = '\0';
    CHECK_STR(out, "0 18446744073709551615 -9223372036854775808 1234.567 0.005");

    gc_buf_init(&b, out, sizeof out);
    gc_put_time_utc(&b, 0, 0);
    gc_putc(&b, ' ');
    gc_put_time_utc(&b, 951782400, 7);      /* 2000-02-29 */
    gc_putc(&b, ' ');
    gc_put_time_utc(&b, 4102444799, 999);   /* 2099-12-31 23:59:59 */
    gc_putc(&b, ' ');
    gc_put_time_syslog(&b, 1700000000);     /* Nov 14 22:13:20 2023 */
    out[b.len] = '\0';
    CHECK_STR(out, "1970-01-01T00:00:00.000Z 2000-02-29T00:00:00.007Z 2099-12-31T23:59:59.999Z "
                   "Nov 14 22:13:20");
}

static void test_json_and_cut(void)
{
    char out[64];
    struct gc_buf b;

    gc_buf_init(&b, out, sizeof out);
    gc_put_json(&b, "a\"b\\c\n\x01\x7f\xc3\xa9");
    out[b.len] = '\0';
    CHECK_STR(out, "\"a\\\"b\\\\c\\n\\u0001\\u007f\xc3\xa9\"");

    /* A full buffer cuts and says so; finish always has room for '\n'. */
    char small[8];
    gc_buf_init(&b, small, sizeof small);
    gc_put(&b, "0123456789");
    CHECK(b.cut && b.len == 7);
    CHECK(gc_buf_finish(&b) == 8 && small[7] == '\n');
}

static void test_jsonl(void)
{
    static struct gc_jsonl o;

    CHECK(gc_jsonl_parse("{\"event\":\"close\",\"pid\":12,\"peer\":\"[::1]:80\","
                         "\"why\":\"a \\\"b\\\" \\u0041\",\"ok\":true}\n", &o));
    CHECK_STR(gc_jsonl_get(&o, "event"), "close");
    CHECK(gc_jsonl_u64(&o, "pid", 0) == 12);
    CHECK_STR(gc_jsonl_get(&o, "peer"), "[::1]:80");
    CHECK_STR(gc_jsonl_get(&o, "why"), "a \"b\" A");
    CHECK(gc_jsonl_u64(&o, "why", 7) == 7);
    CHECK(gc_jsonl_get(&o, "missing") == NULL);
    /* Torn or foreign lines are refused, not half read. */
    CHECK(!gc_jsonl_parse("{\"event\":\"clo", &o));
    CHECK(!gc_jsonl_parse("{\"event\":\"close\"}{\"event\":\"close\"}", &o));
    CHECK(!gc_jsonl_parse("2025-01-01T00:00:00Z graceclose[1]: info: close", &o));
    CHECK(!gc_jsonl_parse("{\"a\":{\"b\":1}}", &o));
}

static void test_log_knobs(void)
{
    struct gc_log_settings s;
    const char *why = NULL;
    enum gc_log_dest d;
    enum gc_log_level l;

    gc_log_settings_default(&s);
    CHECK(s.dest == GC_LOG_STDERR && s.level == GC_LOG_WARN && s.format == GC_LOG_TEXT);
    CHECK(gc_parse_log_dest("/var/log/g.log", &d, &why) && d == GC_LOG_FILE);
    CHECK(gc_parse_log_dest("syslog", &d, &why) && d == GC_LOG_SYSLOG);
    CHECK(!gc_parse_log_dest("g.log", &d, &why) && strstr(why, "absolute"));
    CHECK(!gc_parse_log_dest("/var/log/", &d, &why));
    CHECK(!gc_parse_log_dest("", &d, &why));
    CHECK(gc_parse_log_level("debug", &l, &why) && l == GC_LOG_DEBUG);
    CHECK(!gc_parse_log_level("Debug", &l, &why));
    CHECK(gc_log_set_text(&s, gc_log_knob_by_key("log"), "/tmp/x.log", &why));
    CHECK(s.dest == GC_LOG_FILE && strcmp(s.path, "/tmp/x.log") == 0 && s.set == GC_LOGSET_DEST);
    CHECK(!gc_log_set_text(&s, gc_log_knob_by_key("log_format"), "xml", &why));
    CHECK(s.format == GC_LOG_TEXT && s.set == GC_LOGSET_DEST);
}

int main(void)
{
    test_addresses();
    test_numbers_and_times();
    test_json_and_cut();
    test_jsonl();
    test_log_knobs();
    return ut_failures ? 1 : 0;
}
