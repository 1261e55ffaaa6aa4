#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

/* Criterion copies parameters into each test's process: arrays, not
 * pointers. */
struct set_case {
	char		 key[32];
	char		 value[32];
	int		 ok;
};

ParameterizedTestParameters(config, set)
{
	static struct set_case cases[] = {
		{ "workers", "4", 1 }, { "workers", "0", 1 },
		{ "workers", "257", 0 }, { "workers", "-1", 0 },
		{ "workers", "4x", 0 }, { "workers", "", 0 },
		{ "workers", " 4", 0 }, { "workers", "99999999999999999999", 0 },
		{ "max_body", "1048576", 1 }, { "max_body", "1023", 0 },
		{ "max_body", "67108865", 0 },
		{ "idempotency_ttl", "60", 1 }, { "idempotency_ttl", "59", 0 },
		{ "max_versions", "1", 1 }, { "max_versions", "1000", 1 },
		{ "max_versions", "0", 0 }, { "max_versions", "1001", 0 },
		{ "deleted_retention", "0", 1 },
		{ "deleted_retention", "31622400", 1 },
		{ "deleted_retention", "31622401", 0 },
		{ "deleted_retention", "-1", 0 },
		{ "socket_mode", "0660", 1 }, { "socket_mode", "660", 1 },
		{ "socket_mode", "0668", 0 }, { "socket_mode", "07777", 0 },
		{ "socket_mode", "7777", 0 }, { "socket_mode", "4755", 0 },
		{ "log_level", "debug", 1 }, { "log_level", "verbose", 0 },
		{ "listen", "unix:/run/lockbox.sock", 1 },
		{ "max_requests", "0", 1 }, { "max_requests", "1000000000", 1 },
		{ "max_requests", "1000000001", 0 }, { "max_requests", "-1", 0 },
		{ "nonsense", "1", 0 },
		{ "prepared_statements", "off", 1 },
		{ "prepared_statements", "on", 1 },
		{ "prepared_statements", "yes", 0 },
	};
	return cr_make_param_array(struct set_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct set_case *c, config, set)
{
	struct config	 cfg;
	char		 err[256] = "";

	config_defaults(&cfg);
	cr_assert_eq(config_set(&cfg, c->key, c->value, err, sizeof(err)) == 0,
	    c->ok, "%s = %s: %s", c->key, c->value, err);
	if (!c->ok)
		cr_assert(strstr(err, c->key) != NULL, "error names the "
		    "setting: %s", err);
}

Test(config, defaults)
{
	struct config	 cfg;

	config_defaults(&cfg);
	cr_assert_eq(cfg.max_body, 1024 * 1024);
	cr_assert_eq(cfg.max_requests, 100000);
	cr_assert_eq(cfg.idempotency_ttl, 86400);
	cr_assert_eq(cfg.max_versions, 10);
	cr_assert_eq(cfg.deleted_retention, 7 * 86400);
	cr_assert_eq(cfg.socket_mode, 0660);
	cr_assert_eq(cfg.log_level, LOG_LVL_INFO);
}

Test(config, secret_setting_is_never_echoed)
{
	struct config	 cfg;
	char		 err[256], big[CONFIG_STR_MAX + 10];

	config_defaults(&cfg);
	memset(big, 'p', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_assert_eq(config_set(&cfg, "database_url", big, err, sizeof(err)),
	    -1);
	cr_assert(strstr(err, "ppp") == NULL, "%s", err);
	cr_assert(strstr(err, "database_url") != NULL);
}

Test(config, base_path)
{
	struct config	 cfg;
	char		 err[256];

	config_defaults(&cfg);
	cr_assert_str_eq(cfg.base_path, "");
	cr_assert_eq(config_set(&cfg, "base_path", "/tools/vault", err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(cfg.base_path, "/tools/vault");
	cr_assert_eq(config_set(&cfg, "base_path", "", err, sizeof(err)), 0);
	cr_assert_str_eq(cfg.base_path, "");
	cr_assert_eq(config_set(&cfg, "base_path", "/tools/", err,
	    sizeof(err)), -1);
	cr_assert(strstr(err, "base_path") != NULL, "%s", err);
	cr_assert_eq(config_set(&cfg, "base_path", "tools", err, sizeof(err)),
	    -1);
	cr_assert_eq(config_set(&cfg, "base_path", "/a/../b", err,
	    sizeof(err)), -1);
	cr_assert_str_eq(cfg.base_path, "", "a refused value changes nothing");
}

static char *
write_tmp(const char *text)
{
	static char	 path[64];
	FILE		*f;
	int		 fd;

	strcpy(path, "/tmp/lockbox-config-test.XXXXXX");
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

Test(config, file_and_environment)
{
	struct config	 cfg;
	char		 err[256] = "";
	char		*p = write_tmp("# comment\n\n  workers = 3  \n"
	    "max_body=2048\nlisten = 127.0.0.1:9000\n");

	setenv("LOCKBOX_MAX_BODY", "4096", 1);
	cr_assert_eq(config_load(&cfg, p, err, sizeof(err)), 0, "%s", err);
	unsetenv("LOCKBOX_MAX_BODY");
	unlink(p);
	cr_assert_eq(cfg.workers, 3);
	cr_assert_eq(cfg.max_body, 4096, "the environment overrides the file");
	cr_assert_str_eq(cfg.listen, "127.0.0.1:9000");
}

struct file_case {
	char		 text[32];
};

ParameterizedTestParameters(config, bad_files)
{
	static struct file_case files[] = {
		{ "workers 3\n" },		/* no '=' */
		{ "workers = three\n" },
		{ "colour = blue\n" },		/* unknown setting */
		{ "max_body = 10\n" },
	};
	return cr_make_param_array(struct file_case, files,
	    sizeof(files) / sizeof(files[0]));
}

ParameterizedTest(struct file_case *text, config, bad_files)
{
	struct config	 cfg;
	char		 err[256] = "";
	char		*p = write_tmp(text->text);

	cr_assert_eq(config_load(&cfg, p, err, sizeof(err)), -1);
	cr_assert(strstr(err, ":1:") != NULL, "names the line: %s", err);
	unlink(p);
}

Test(config, missing_file)
{
	struct config	 cfg;
	char		 err[256] = "";

	cr_assert_eq(config_load(&cfg, "/nonexistent/lockbox.conf", err,
	    sizeof(err)), -1);
	cr_assert(strstr(err, "/nonexistent/lockbox.conf") != NULL);
}
