#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "keyring.h"

#define K64 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define K64B "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

static void
setup(void)
{
	crypto_init();
}

TestSuite(keyring, .init = setup);

/* Criterion copies parameters into each test's process: arrays, not
 * pointers. */
struct ring_case {
	char		 text[200];
	int		 ok;
	int		 active;
	size_t		 nkeys;
};

ParameterizedTestParameters(keyring, parse)
{
	static struct ring_case cases[] = {
		{ "key 1 " K64 "\nactive 1\n", 1, 1, 1 },
		{ "# c\n\nkey 1 " K64 "\r\nkey 2 " K64B "\nactive 2", 1, 2, 2 },
		{ "  key\t7 " K64 "  \nactive 7\n", 1, 7, 1 },
		{ "key 1 " K64 "\n", 0, 0, 0 },			/* no active */
		{ "active 1\n", 0, 0, 0 },			/* no key */
		{ "key 1 " K64 "\nactive 2\n", 0, 0, 0 },	/* unknown active */
		{ "key 1 " K64 "\nkey 1 " K64B "\nactive 1\n", 0, 0, 0 },
		{ "key 1 " K64 "\nactive 1\nactive 1\n", 0, 0, 0 },
		{ "key 0 " K64 "\nactive 0\n", 0, 0, 0 },
		{ "key 32768 " K64 "\nactive 32768\n", 0, 0, 0 },
		{ "key 01 " K64 "\nactive 1\n", 0, 0, 0 },
		{ "key 1 " K64 "00\nactive 1\n", 0, 0, 0 },	/* too long */
		{ "key 1 0011\nactive 1\n", 0, 0, 0 },		/* too short */
		{ "key 1 zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\nactive 1\n", 0, 0, 0 },
		{ "key 1 " K64 " extra\nactive 1\n", 0, 0, 0 },
		{ "secret 1 " K64 "\nactive 1\n", 0, 0, 0 },
		{ "", 0, 0, 0 },
	};
	return cr_make_param_array(struct ring_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct ring_case *c, keyring, parse)
{
	struct keyring	 r;
	char		 err[256] = "";
	int		 rc = keyring_parse(&r, c->text, strlen(c->text), err,
	    sizeof(err));

	cr_assert_eq(rc == 0, c->ok, "%s: %s", c->text, err);
	if (c->ok) {
		cr_assert_eq(r.active, c->active);
		cr_assert_eq(r.nkeys, c->nkeys);
	} else {
		cr_assert_eq(r.nkeys, 0);
		/* Errors never quote key material. */
		cr_assert(strstr(err, "00112233") == NULL, "%s", err);
	}
	keyring_free(&r);
}

Test(keyring, parse_decodes_bytes)
{
	struct keyring	 r;
	char		 err[128];
	const char	*t = "key 3 " K64 "\nactive 3\n";

	cr_assert_eq(keyring_parse(&r, t, strlen(t), err, sizeof(err)), 0);
	cr_assert_eq(r.keys[0].key[0], 0x00);
	cr_assert_eq(r.keys[0].key[1], 0x11);
	cr_assert_eq(r.keys[0].key[31], 0xff);
	keyring_free(&r);
}

Test(keyring, format_round_trips_and_add_rotates)
{
	struct keyring	 r, back;
	char		 err[128], *t;
	size_t		 len;

	memset(&r, 0, sizeof(r));
	cr_assert_eq(keyring_add_random(&r), 1);
	cr_assert_eq(keyring_add_random(&r), 2);
	cr_assert_eq(r.active, 2);
	cr_assert(memcmp(r.keys[0].key, r.keys[1].key, KEYRING_KEY_LEN) != 0);
	t = keyring_format(&r, &len);
	cr_assert_not_null(t);
	cr_assert_eq(keyring_parse(&back, t, len, err, sizeof(err)), 0, "%s",
	    err);
	cr_assert_eq(back.nkeys, 2);
	cr_assert_eq(back.active, 2);
	cr_assert(memcmp(back.keys[1].key, r.keys[1].key, KEYRING_KEY_LEN) == 0);
	keyring_text_free(t, len);
	keyring_free(&r);
	keyring_free(&back);
}

static void
write_file(const char *path, mode_t mode)
{
	const char	*t = "key 1 " K64 "\nactive 1\n";
	int		 fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, t, strlen(t)), (ssize_t)strlen(t));
	close(fd);
	cr_assert_eq(chmod(path, mode), 0);
}

Test(keyring, load_refuses_group_or_world_access)
{
	struct keyring	 r;
	char		 path[] = "/tmp/lockbox-keyring-test.XXXXXX", err[256];
	int		 fd = mkstemp(path);
	mode_t		 modes[] = { 0640, 0604, 0620, 0602, 0644 };
	size_t		 i;

	cr_assert(fd >= 0);
	close(fd);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		write_file(path, modes[i]);
		cr_assert_eq(keyring_load(&r, path, err, sizeof(err)), -1,
		    "mode %o", (unsigned)modes[i]);
		cr_assert(strstr(err, "chmod 600") != NULL, "%s", err);
	}
	write_file(path, 0600);
	cr_assert_eq(keyring_load(&r, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(r.active, 1);
	keyring_free(&r);
	write_file(path, 0400);
	cr_assert_eq(keyring_load(&r, path, err, sizeof(err)), 0, "%s", err);
	keyring_free(&r);
	unlink(path);
}

Test(keyring, load_missing_file)
{
	struct keyring	 r;
	char		 err[256];

	cr_assert_eq(keyring_load(&r, "/nonexistent/keyring", err,
	    sizeof(err)), -1);
	cr_assert(strstr(err, "key_file") != NULL);
}
