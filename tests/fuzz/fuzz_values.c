/* fuzz_values - every value parser on the same text: policy, steps,
 * duration, size, CIDR, and each knob through the overlay.  A value that
 * parses must format back into text that parses to the same value. */
#include "cidr.h"
#include "settings.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

static void cidr_round_trip(const char *text)
{
    int family, family2;
    uint8_t addr[16], addr2[16], prefix, prefix2;
    bool host_bits;
    const char *why;
    char buf[64];

    if (!gc_cidr_parse(text, &family, addr, &prefix, &host_bits, &why)) {
        check(why != NULL);
        return;
    }
    check(family == AF_INET ? prefix <= 32 : family == AF_INET6 && prefix <= 128);
    gc_cidr_format(family, addr, prefix, buf, sizeof buf);
    check(gc_cidr_parse(buf, &family2, addr2, &prefix2, &host_bits, &why));
    check(!host_bits && family2 == family && prefix2 == prefix && memcmp(addr, addr2, 16) == 0);
    check(gc_cidr_contains(family, addr, prefix, family, addr));
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *text = malloc(size + 1);
    const char *why;
    enum gc_policy p;
    unsigned steps;
    uint32_t ms;
    uint64_t bytes;
    char buf[64];

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    if (gc_parse_policy(text, &p, &why)) {
        enum gc_policy again;
        check(gc_parse_policy(gc_policy_name(p), &again, &why) && again == p);
    }
    if (gc_parse_steps(text, &steps, &why)) {
        check((steps & ~(unsigned)GC_STEPS_ALL) == 0);
        unsigned again;
        gc_steps_format(steps, buf, sizeof buf);
        check(gc_parse_steps(buf, &again, &why) && again == steps);
    }
    if (gc_parse_duration(text, &ms, &why))
        check(ms <= GC_MAX_DURATION_MS);
    if (gc_parse_size(text, &bytes, &why))
        check(bytes <= GC_MAX_SIZE);
    cidr_round_trip(text);

    /* Each knob: a value it takes formats to text it takes back unchanged. */
    for (size_t i = 0; i < gc_knob_count; i++) {
        struct gc_overlay o, o2;
        struct gc_settings s, s2;
        char buf2[64];

        gc_overlay_clear(&o);
        if (!gc_overlay_set_text(&o, &gc_knobs[i], text, &why)) {
            check(why != NULL && o.set == 0);
            continue;
        }
        gc_settings_default(&s);
        gc_overlay_apply(&o, &s);
        gc_knobs[i].format(&s, buf, sizeof buf);
        gc_overlay_clear(&o2);
        check(gc_overlay_set_text(&o2, &gc_knobs[i], buf, &why));
        gc_settings_default(&s2);
        gc_overlay_apply(&o2, &s2);
        gc_knobs[i].format(&s2, buf2, sizeof buf2);
        check(strcmp(buf, buf2) == 0);
    }
    free(text);
    return 0;
}
