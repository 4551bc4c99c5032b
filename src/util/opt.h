/* Command-line options: "--name value" or "--name=value", each with an
 * optional environment variable as fallback (PHEU_DB, PHEU_LISTEN, ...).
 * Bad usage prints one line on stderr and the caller exits 2. */
#ifndef PHEU_UTIL_OPT_H
#define PHEU_UTIL_OPT_H

enum opt_kind { OPT_END_KIND, OPT_STR_KIND, OPT_INT_KIND, OPT_FLAG_KIND };

struct opt {
    const char *name;   /* without the leading dashes */
    enum opt_kind kind;
    void *dst;          /* const char ** | long * | int * */
    const char *env;    /* environment fallback, or NULL */
    const char *help;   /* one line for "pheu help <command>" */
};

#define OPT_STR(n, d, e, h) {(n), OPT_STR_KIND, (d), (e), (h)}
#define OPT_INT(n, d, e, h) {(n), OPT_INT_KIND, (d), (e), (h)}
#define OPT_FLAG(n, d, h) {(n), OPT_FLAG_KIND, (d), NULL, (h)}
#define OPT_END {NULL, OPT_END_KIND, NULL, NULL, NULL}

/* Parses argv[0..argc) (argv[0] is the first option, not the command).
 * Positional arguments are moved, in order, to the front of argv and
 * their count stored in *npos (when npos is NULL none are allowed).
 * Returns 0; 1 when --help was given (usage printed); 2 on bad usage
 * (one line printed to stderr). */
int opt_parse(int argc, char **argv, const struct opt *opts,
              const char *usage, int *npos);
/* Prints usage and one line per option to stdout. */
void opt_usage(const struct opt *opts, const char *usage);

#endif
