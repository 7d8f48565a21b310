/* replay_main: `autonomyd --replay TRACE [--seed N] [-c CONFIG] [--policy P]`.
 * Parses its own arguments (it receives the daemon's whole command line),
 * loads the config exactly as the daemon does, runs the trace and prints
 * JSON Lines on stdout; every error goes to stderr with the file and line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "replay/replay.h"

#define USAGE "usage: autonomyd --replay TRACE [--seed N] [-c CONFIG] " \
	      "[--policy autonomy|mwan3|mwan3-10s|pfsense] [--store FILE [--store-durable FILE]]\n"

struct replay_args {
	const char *trace, *config;
	struct replay_opts o;
	bool help;
};

/* "--opt VALUE" or "--opt=VALUE"; NULL when this argument is not opt. */
static const char *opt_value(int argc, char **argv, int *i, const char *opt, bool *missing)
{
	size_t n = strlen(opt);
	const char *a = argv[*i];

	if (strncmp(a, opt, n) != 0)
		return NULL;
	if (a[n] == '=' && opt[1] == '-')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

static int parse_seed(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_one(struct replay_args *a, int argc, char **argv, int *i)
{
	bool missing = false;
	const char *v;

	if (!strcmp(argv[*i], "-h") || !strcmp(argv[*i], "--help")) {
		a->help = true;
		return 0;
	}
	if ((v = opt_value(argc, argv, i, "--replay", &missing))) {
		a->trace = v;
		return 0;
	}
	if ((v = opt_value(argc, argv, i, "--seed", &missing))) {
		if (parse_seed(v, &a->o.seed) == 0)
			return 0;
		fprintf(stderr, "autonomyd: --seed: \"%s\" is not a number\n", v);
		return -1;
	}
	if ((v = opt_value(argc, argv, i, "-c", &missing)) ||
	    (v = opt_value(argc, argv, i, "--config", &missing))) {
		a->config = v;
		return 0;
	}
	if ((v = opt_value(argc, argv, i, "--store", &missing))) {
		a->o.store = v;
		return 0;
	}
	if ((v = opt_value(argc, argv, i, "--store-durable", &missing))) {
		a->o.store_durable = v;
		return 0;
	}
	if ((v = opt_value(argc, argv, i, "--policy", &missing))) {
		if (replay_policy_parse(v, &a->o.policy) == 0)
			return 0;
		fprintf(stderr, "autonomyd: --policy: unknown policy \"%s\"\n", v);
		return -1;
	}
	fprintf(stderr, "autonomyd: %s: %s\n", argv[*i],
		missing ? "needs a value" : "not a replay option");
	return -1;
}

static int parse_args(struct replay_args *a, int argc, char **argv)
{
	memset(a, 0, sizeof(*a));
	replay_opts_default(&a->o);
	a->o.wall_clock = true;
	for (int i = 1; i < argc; i++)
		if (parse_one(a, argc, argv, &i) < 0)
			return -1;
	if (!a->help && !a->trace) {
		fprintf(stderr, "autonomyd: --replay needs a trace file\n");
		return -1;
	}
	if (a->o.store_durable && !a->o.store) {
		fprintf(stderr, "autonomyd: --store-durable needs --store\n");
		return -1;
	}
	if (a->o.store && a->o.policy != REPLAY_AUTONOMY) {
		fprintf(stderr, "autonomyd: --store records autonomy's own decisions: not with "
			"--policy %s\n", replay_policy_name(a->o.policy));
		return -1;
	}
	return 0;
}

static struct config *load_config(const char *path)
{
	struct cfg_diags diags = { 0 };
	struct config *cfg = config_load_file(path, &diags);

	for (size_t i = 0; i < diags.n; i++)
		fprintf(stderr, "autonomyd: %s\n", diags.v[i].msg);
	if (!cfg)
		fprintf(stderr, "autonomyd: %s: config has errors, replay not run\n", path);
	cfg_diags_free(&diags);
	return cfg;
}

int replay_main(int argc, char **argv)
{
	struct replay_args a;
	struct replay_trace tr;
	struct replay_error err;
	struct config *cfg = NULL;

	if (parse_args(&a, argc, argv) < 0) {
		fputs(USAGE, stderr);
		return 2;
	}
	if (a.help) {
		fputs(USAGE, stdout);
		return 0;
	}
	if (a.config && !(cfg = load_config(a.config)))
		return 1;
	if (replay_trace_load(&tr, a.trace, &err) < 0) {
		if (err.line)
			fprintf(stderr, "autonomyd: %s:%d: %s\n", a.trace, err.line, err.msg);
		else
			fprintf(stderr, "autonomyd: %s: %s\n", a.trace, err.msg);
		config_free(cfg);
		return 1;
	}
	/* A recording decides as the daemon did only with the daemon's config. */
	if (tr.recorded && !cfg)
		fprintf(stderr, "autonomyd: %s was recorded by a daemon%s%s; without -c the "
			"defaults are used\n", a.trace, tr.recorded_config[0] ? " running " : "",
			tr.recorded_config);
	a.o.cfg = cfg;
	int rc = replay_run(&tr, &a.o, stdout, NULL);
	if (rc == -2) {         /* the store could not be opened (said on stderr) */
		replay_trace_free(&tr);
		config_free(cfg);
		return 1;
	}
	if (fflush(stdout) != 0 || rc < 0) {
		fprintf(stderr, "autonomyd: replay: %s\n", rc < 0 ? "out of memory" : strerror(errno));
		rc = -1;
	}
	replay_trace_free(&tr);
	config_free(cfg);
	return rc < 0 ? 1 : 0;
}
