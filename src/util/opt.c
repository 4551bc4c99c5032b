/* Option parsing with environment fallbacks. */
#include "util/opt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Stores text into the option's destination; returns 0 or 2. */
static int set_value(const struct opt *o, const char *v, const char *from)
{
    if (o->kind == OPT_STR_KIND) {
        *(const char **)o->dst = v;
        return 0;
    }
    if (o->kind == OPT_INT_KIND) {
        char *end;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (errno || end == v || *end) {
            fprintf(stderr, "pheu: %s '%s' needs a whole number, not '%s'\n",
                    from, o->name, v);
            return 2;
        }
        *(long *)o->dst = n;
        return 0;
    }
    if (o->kind == OPT_FLAG_KIND) {
        *(int *)o->dst = 1;
        return 0;
    }
    return 2;
}

/* Applies environment fallbacks for options not given on the line. */
static int apply_env(const struct opt *opts, const char *given)
{
    for (int i = 0; i < 64 && opts[i].name; i++) {
        const char *v = opts[i].env ? getenv(opts[i].env) : NULL;
        if (!given[i] && v && *v && set_value(&opts[i], v, "environment"))
            return 2;
    }
    return 0;
}

void opt_usage(const struct opt *opts, const char *usage)
{
    printf("usage: %s\n", usage);
    for (int i = 0; opts[i].name; i++) {
        const char *arg = opts[i].kind == OPT_FLAG_KIND ? "" : " <value>";
        printf("  --%s%s", opts[i].name, arg);
        int w = (int)strlen(opts[i].name) + (int)strlen(arg);
        printf("%*s %s", w < 22 ? 22 - w : 1, "", opts[i].help);
        if (opts[i].env)
            printf(" [env %s]", opts[i].env);
        printf("\n");
    }
    printf("  --help%*s show this help\n", 18, "");
}

int opt_parse(int argc, char **argv, const struct opt *opts,
              const char *usage, int *npos)
{
    char given[64] = {0};
    int pos = 0;
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (!npos) {
                fprintf(stderr, "pheu: unexpected argument '%s'\n", a);
                return 2;
            }
            argv[pos++] = a;
            continue;
        }
        if (!strcmp(a, "--help")) {
            opt_usage(opts, usage);
            return 1;
        }
        char *name = a + 2, *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        int k = -1;
        for (int j = 0; j < 64 && opts[j].name; j++)
            if (strlen(opts[j].name) == nlen &&
                !strncmp(opts[j].name, name, nlen))
                k = j;
        if (k < 0) {
            fprintf(stderr, "pheu: unknown option '--%.*s'\n", (int)nlen,
                    name);
            return 2;
        }
        const char *v = NULL;
        if (opts[k].kind == OPT_FLAG_KIND) {
            if (eq) {
                fprintf(stderr, "pheu: option '--%s' takes no value\n",
                        opts[k].name);
                return 2;
            }
        } else if (eq) {
            v = eq + 1;
        } else if (i + 1 < argc) {
            v = argv[++i];
        } else {
            fprintf(stderr, "pheu: option '--%s' needs a value\n",
                    opts[k].name);
            return 2;
        }
        if (set_value(&opts[k], v, "option"))
            return 2;
        given[k] = 1;
    }
    if (npos)
        *npos = pos;
    return apply_env(opts, given);
}
