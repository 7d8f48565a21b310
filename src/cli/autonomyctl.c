/* autonomyctl: the command-line interface to autonomyd, and (when run under
 * the name "autonomy", as /usr/libexec/rpcd/autonomy) its rpcd exec plugin.
 * Exit codes: 0 ok, 1 the operation failed, 2 usage, 3 daemon not running. */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin/adm.h"
#include "cli/import_mwan3.h"
#include "cli/monitor.h"
#include "ctl/ctl_client.h"
#include "ctl/ctl_cmds.h"
#include "ctl/ctl_format.h"
#include "ctl/ctl_history.h"
#include "starwatch/sw_status.h"
#include "ctl/ctl_rpcd.h"
#include "ctl/ctl_validate.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_NOT_RUNNING = 3 };

struct cli {
	const char *socket;
	const char *store;      /* --store: a history file to read instead of the daemon's */
	const char *config;     /* -c: the config file local commands work on */
	bool json;
	int timeout_ms;
	const struct ctl_cmd_desc *cmd;
	json_object *args;
};

/* A command and its arguments, then its summary on the same line when both
 * fit 100 columns, else on the next. */
static void usage_row(FILE *f, const char *cli, const char *args, const char *summary)
{
	char head[160];
	snprintf(head, sizeof(head), "%s %s", cli, args);
	if (strlen(head) <= 27 && 30 + strlen(summary) <= 100)
		fprintf(f, "  %-27s %s\n", head, summary);
	else
		fprintf(f, "  %s\n        %s\n", head, summary);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: autonomyctl [-s SOCKET] [--json] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < ctl_n_cmds; i++)
		usage_row(f, ctl_cmds[i].cli, ctl_cmds[i].usage, ctl_cmds[i].summary);
	usage_row(f, "help", "[COMMAND]", "this text, or one command's");
	fprintf(f, "\noptions:\n"
		"  -s, --socket PATH  control socket (default $AUTONOMY_SOCKET or "
		CTL_DEFAULT_SOCKET ")\n"
		"  -c, --config FILE  config file of the config commands (default: the "
		"daemon's,\n                     else $AUTONOMY_CONFIG, else " CTL_DEFAULT_CONFIG ")\n"
		"  -j, --json         print one JSON document instead of a table (also when\n"
		"                     stdout is redirected to a file named *.json)\n"
		"  -t, --timeout MS   how long to wait for the daemon's answer (default %d,\n"
		"                     actions %d; monitor --continuous: its first answer)\n"
		"      --store FILE   history commands read this store (default: the daemon's)\n"
		"  -V, --version      print the version\n"
		"\nexit status: 0 ok, 1 failed, 2 usage error, 3 daemon not running or not "
		"answering\n", CTL_CLIENT_TIMEOUT_MS, CTL_CLIENT_ACTION_TIMEOUT_MS);
}

static void help_command(const struct ctl_cmd_desc *c)
{
	printf("autonomyctl %s %s\n  %s\n", c->cli, c->usage, c->summary);
	for (size_t i = 0; i < c->n_args; i++)
		printf("  --%-10s %s\n", c->args[i].name, c->args[i].help);
}

/* Finds the command whose words ("config show") start argv[*i]. */
static const struct ctl_cmd_desc *match_command(int argc, char **argv, int *i)
{
	const struct ctl_cmd_desc *best = NULL;
	int best_words = 0;
	for (size_t c = 0; c < ctl_n_cmds; c++) {
		char words[64];
		snprintf(words, sizeof(words), "%s", ctl_cmds[c].cli);
		int n = 0, j = *i;
		bool ok = true;
		for (char *save, *w = strtok_r(words, " ", &save); w;
		     w = strtok_r(NULL, " ", &save), n++, j++) {
			if (j >= argc || strcmp(argv[j], w) != 0) {
				ok = false;
				break;
			}
		}
		if (ok && n > best_words) {
			best = &ctl_cmds[c];
			best_words = n;
		}
	}
	*i += best_words;
	return best;
}

/* `--name value` / `--flag` options and positional arguments of a command.
 * A command's first declared string argument takes one positional value
 * ("config validate FILE"). */
static int parse_cmd_args(struct cli *cl, int argc, char **argv, int i)
{
	const struct ctl_cmd_desc *c = cl->cmd;
	bool positional_used = false;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--json") == 0 || strcmp(a, "-j") == 0) {
			cl->json = true;
			continue;
		}
		if (strcmp(a, "--reveal") == 0 && strcmp(c->name, "config_reveal") == 0)
			continue;       /* `config show --reveal` */
		/* --older-than names the argument older_than. */
		char name[32];
		snprintf(name, sizeof(name), "%s", strncmp(a, "--", 2) == 0 ? a + 2 : "");
		for (char *p = name; *p; p++)
			if (*p == '-')
				*p = '_';
		const struct ctl_arg_def *def = name[0] ? ctl_cmd_arg(c, name) : NULL;
		if (!def && a[0] != '-' && !positional_used && c->n_args &&
		    c->args[0].type == CTL_ARG_STRING) {
			json_object_object_add(cl->args, c->args[0].name, json_object_new_string(a));
			positional_used = true;
			continue;
		}
		if (!def) {
			fprintf(stderr, "autonomyctl %s: unexpected argument '%s'\n", c->cli, a);
			return -1;
		}
		if (def->type == CTL_ARG_BOOL) {
			json_object_object_add(cl->args, def->name, json_object_new_boolean(1));
		} else if (i + 1 >= argc) {
			fprintf(stderr, "autonomyctl %s: --%s needs a value\n", c->cli, def->name);
			return -1;
		} else if (def->type == CTL_ARG_INT) {
			char *end;
			long v = strtol(argv[++i], &end, 10);
			if (*end || end == argv[i]) {
				fprintf(stderr, "autonomyctl %s: --%s needs a number\n", c->cli,
					def->name);
				return -1;
			}
			json_object_object_add(cl->args, def->name, json_object_new_int64(v));
		} else {
			json_object_object_add(cl->args, def->name, json_object_new_string(argv[++i]));
		}
	}
	return 0;
}

static int parse_timeout(const char *s, int *ms)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || end == s || v < 1 || v > 3600000) {
		fprintf(stderr, "autonomyctl: --timeout takes milliseconds, 1 to 3600000\n");
		return -1;
	}
	*ms = (int)v;
	return 0;
}

static int parse_global(struct cli *cl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "store", required_argument, NULL, 'S' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	/* '+': stop at the command word; its own options are parsed later. */
	while ((c = getopt_long(argc, argv, "+s:c:jt:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 's': cl->socket = optarg; break;
		case 'c': cl->config = optarg; break;
		case 'j': cl->json = true; break;
		case 't':
			if (parse_timeout(optarg, &cl->timeout_ms) < 0)
				return -1;
			break;
		case 'S': cl->store = optarg; break;
		case 'V': printf("autonomyctl %s\n", AUTONOMY_VERSION); exit(EXIT_OK);
		case 'h': usage(stdout); exit(EXIT_OK);
		default: return -1;
		}
	}
	return optind;
}

static int cmd_help(int argc, char **argv, int i)
{
	if (i >= argc) {
		usage(stdout);
		return EXIT_OK;
	}
	const struct ctl_cmd_desc *c = match_command(argc, argv, &i);
	if (!c) {
		fprintf(stderr, "autonomyctl: no command '%s'\n", argv[i]);
		return EXIT_USAGE;
	}
	help_command(c);
	return EXIT_OK;
}

static void print_error(const struct ctl_error *err)
{
	fprintf(stderr, "autonomyctl: %s\n", err->message);
	size_t n = err->details ? json_object_array_length(err->details) : 0;
	for (size_t k = 0; k < n; k++) {
		json_object *d = json_object_array_get_idx(err->details, k), *m;
		if (json_object_object_get_ex(d, "message", &m))
			fprintf(stderr, "  %s\n", json_object_get_string(m));
	}
	if (err->code == CTL_E_NOT_RUNNING)
		fprintf(stderr, "hint: start it with '/etc/init.d/autonomy start' or "
			"'autonomyd -c /etc/config/autonomy', or point -s at its socket\n");
	else if (err->code == CTL_E_TIMEOUT)
		fprintf(stderr, "hint: the daemon is running but stuck; its log says more "
			"(logread -e autonomyd), --timeout waits longer\n");
}

static int exit_code_for(enum ctl_errcode code)
{
	switch (code) {
	case CTL_E_NOT_RUNNING:
	case CTL_E_TIMEOUT: return EXIT_NOT_RUNNING;
	case CTL_E_BAD_ARGS:
	case CTL_E_UNKNOWN_CMD: return EXIT_USAGE;
	default: return EXIT_FAILED;
	}
}

static void print_json_error(const struct ctl_error *err)
{
	json_object *e = json_object_new_object();
	json_object_object_add(e, "code", json_object_new_string(ctl_errcode_name(err->code)));
	json_object_object_add(e, "message", json_object_new_string(err->message));
	if (err->details)
		json_object_object_add(e, "details", json_object_get(err->details));
	json_object *o = json_object_new_object();
	json_object_object_add(o, "error", e);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
}

/* Actions that take the dish offline need a yes: --confirm, or an answer at
 * the terminal. Without either (a script), nothing is sent. */
static int confirm_dish_action(struct cli *cl)
{
	char line[16];
	if (strncmp(cl->cmd->name, "starlink_", 9) != 0 ||
	    json_object_object_get_ex(cl->args, "confirm", NULL))
		return 0;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "autonomyctl %s: takes the dish offline; add --confirm\n", cl->cmd->cli);
		return -1;
	}
	fprintf(stderr, "%s: this takes the dish offline (traffic moves to another member first "
		"when one is healthy). Continue? [y/N] ", cl->cmd->cli);
	if (!fgets(line, sizeof(line), stdin) || (strcmp(line, "y\n") && strcmp(line, "yes\n"))) {
		fprintf(stderr, "not sent\n");
		return -1;
	}
	json_object_object_add(cl->args, "confirm", json_object_new_boolean(1));
	return 0;
}

/* `config show --reveal` is the privileged config_reveal (config_show never
 * reveals: a query is open to everyone who may connect). */
static void reveal_is_its_own_command(struct cli *cl, int argc, char **argv, int i)
{
	if (strcmp(cl->cmd->name, "config_show") != 0)
		return;
	for (; i < argc; i++)
		if (strcmp(argv[i], "--reveal") == 0)
			cl->cmd = ctl_cmd_find("config_reveal");
}

/* `autonomyctl status > status.json` (the guide's disaster backup) means a
 * JSON document: output redirected to a regular file named *.json gets what
 * --json prints. A terminal, a pipe or any other file keeps the table. */
static bool stdout_is_json_file(void)
{
	struct stat st;
	char path[4096];
	if (fstat(STDOUT_FILENO, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	ssize_t n = readlink("/proc/self/fd/1", path, sizeof(path) - 1);
	if (n < 5)
		return false;
	path[n] = '\0';
	return strcmp(path + n - 5, ".json") == 0;
}

static int run(struct cli *cl)
{
	struct ctl_error err = { .details = NULL };
	const char *sock = ctl_client_socket(cl->socket);
	json_object *data;
	if (strcmp(cl->cmd->name, "config_import_mwan3") == 0) {
		int rc = cli_import_mwan3(cl->args, stdout);
		json_object_put(cl->args);
		cl->args = NULL;
		return rc;
	} else if (adm_is_command(cl->cmd->name)) {
		data = adm_run(cl->cmd->name, cl->args, sock, cl->config, false, &err);
		json_object_put(cl->args);
	} else if (cl->cmd->flags & CTL_CMD_LOCAL) {
		json_object *f, *t;
		const char *file = json_object_object_get_ex(cl->args, "file", &f) ?
				   json_object_get_string(f) : cl->config;
		if (json_object_object_get_ex(cl->args, "text", &t))
			data = ctl_config_validate_text(json_object_get_string(t),
							(size_t)json_object_get_string_len(t), &err);
		else
			data = ctl_config_validate_auto(sock, file, cl->timeout_ms, &err);
		json_object_put(cl->args);
	} else if (cl->cmd->flags & CTL_CMD_HISTORY) {
		json_object *args = cl->args;
		cl->args = NULL;
		data = ctl_history_run(sock, cl->store, cl->cmd, args, false, stdout, &err);
		if (data == CTL_HIST_PRINTED)
			return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
	} else if (strcmp(cl->cmd->name, "monitor") == 0 &&
		   json_object_object_get_ex(cl->args, "continuous", NULL)) {
		json_object *args = cl->args;
		cl->args = NULL;
		if (cli_monitor(sock, args, cl->json, cl->timeout_ms, &err) == 0)
			return EXIT_OK;
		print_error(&err);
		json_object_put(err.details);
		return exit_code_for(err.code);
	} else {
		data = ctl_client_call(sock, cl->cmd->name, cl->args, cl->timeout_ms, &err);
	}
	cl->args = NULL;
	if (!data) {
		if (cl->json)
			print_json_error(&err);
		print_error(&err);
		/* The daemon is down: what its watchdog says is all there is. */
		if (err.code == CTL_E_NOT_RUNNING && strcmp(cl->cmd->name, "health") == 0 &&
		    !cl->json) {
			json_object *sw = sw_status_view(sock);
			ctl_format_starwatch(sw, stdout);
			json_object_put(sw);
		}
		json_object_put(err.details);
		return exit_code_for(err.code);
	}
	if (cl->json)
		printf("%s\n", json_object_to_json_string_ext(data, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		ctl_format(cl->cmd->name, data, stdout);
	/* a backup that does not verify fails the command */
	json_object *ok = NULL;
	int rc = adm_is_command(cl->cmd->name) && json_object_object_get_ex(data, "ok", &ok) &&
		 ok && !json_object_get_boolean(ok) ? EXIT_FAILED : EXIT_OK;
	json_object_put(data);
	return rc;
}

int main(int argc, char **argv)
{
	if (strcmp(basename(argv[0]), "autonomy") == 0)
		return ctl_rpcd_main(argc, argv, stdin, stdout, ctl_client_socket(NULL));
	struct cli cl = { 0 };
	int i = parse_global(&cl, argc, argv);
	if (i < 0 || i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0)
		return cmd_help(argc, argv, i + 1);
	cl.cmd = match_command(argc, argv, &i);
	if (!cl.cmd) {
		fprintf(stderr, "autonomyctl: unknown command '%s' (try 'autonomyctl help')\n",
			argv[i]);
		return EXIT_USAGE;
	}
	cl.args = json_object_new_object();
	cl.json = cl.json || stdout_is_json_file();
	reveal_is_its_own_command(&cl, argc, argv, i);
	if (cl.timeout_ms <= 0)
		cl.timeout_ms = cl.cmd->flags & CTL_CMD_ACTION ? CTL_CLIENT_ACTION_TIMEOUT_MS :
				CTL_CLIENT_TIMEOUT_MS;
	if (parse_cmd_args(&cl, argc, argv, i) < 0 || confirm_dish_action(&cl) < 0) {
		json_object_put(cl.args);
		return EXIT_USAGE;
	}
	return run(&cl);
}
