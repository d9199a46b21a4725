/* SPDX-License-Identifier: MIT */
/* Unit tests: lib/state (atomic writes, locking, corrupt files). */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "state/state.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/he-test-state.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static void rm(const char *name)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
}

static int teardown(void **state)
{
	(void)state;
	rm("state.json");
	rm(HE_STATE_PRIVATE);
	rm("lock");
	rm("f");
	rmdir(dir);
	return 0;
}

static void test_roundtrip(void **state)
{
	struct he_state *st = NULL;
	struct he_error err = {0};
	json_t *sec;

	(void)state;
	assert_int_equal(he_state_open(dir, HE_STATE_WRITE, 0, &st, &err), 0);
	sec = he_state_section(st, "portmap");
	assert_non_null(sec);
	json_object_set_new(sec, "protocol", json_string("pcp"));
	assert_int_equal(he_state_save(st, &err), 0);
	he_state_close(st);

	assert_int_equal(he_state_open(dir, HE_STATE_READ, 0, &st, &err), 0);
	sec = he_state_section(st, "portmap");
	assert_string_equal(json_string_value(json_object_get(sec, "protocol")), "pcp");
	assert_int_equal(he_state_save(st, &err), -EBADF);
	he_state_close(st);
	he_state_close(NULL);
}

static void test_lock_excludes_second_writer(void **state)
{
	struct he_state *st = NULL, *st2 = NULL;
	struct he_error err = {0};
	pid_t pid;
	int status;

	(void)state;
	assert_int_equal(he_state_open(dir, HE_STATE_WRITE, 0, &st, &err), 0);
	/* flock is per open file description: a second open in another process must wait */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct he_error e2 = {0};
		int r = he_state_open(dir, HE_STATE_WRITE, 50, &st2, &e2);

		_exit(r == -EWOULDBLOCK && strstr(e2.msg, "locked by another homeexpose run") ? 0
											      : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	he_state_close(st);

	/* released: now the child gets it */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct he_error e2 = {0};
		int r = he_state_open(dir, HE_STATE_WRITE, 50, &st2, &e2);

		he_state_close(st2);
		_exit(r == 0 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_corrupt_state_is_not_replaced(void **state)
{
	struct he_state *st = NULL;
	struct he_error err = {0};
	char p[128];
	FILE *f;

	(void)state;
	snprintf(p, sizeof(p), "%s/state.json", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("{\"portmap\": {", f);
	fclose(f);
	assert_int_equal(he_state_open(dir, HE_STATE_WRITE, 0, &st, &err), -EBADMSG);
	assert_null(st);
	assert_non_null(strstr(err.msg, "state.json"));
	assert_non_null(strstr(err.msg, "move it aside"));
	rm("state.json");
}

static void test_atomic_write(void **state)
{
	struct he_error err = {0};
	char p[128], buf[64] = {0};
	struct stat sb;
	FILE *f;

	(void)state;
	snprintf(p, sizeof(p), "%s/f", dir);
	assert_int_equal(he_atomic_write(p, "one", 3, 0600, &err), 0);
	assert_int_equal(he_atomic_write(p, "second", 6, 0640, &err), 0);
	f = fopen(p, "r");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof(buf), f), 6);
	fclose(f);
	assert_string_equal(buf, "second");
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0640);
	/* no temp file left behind */
	{
		DIR *dh = opendir(dir);
		struct dirent *de;

		assert_non_null(dh);
		while ((de = readdir(dh)))
			assert_null(strstr(de->d_name, ".tmp."));
		closedir(dh);
	}
	/* the same bytes and mode again: the file is left as it is (same inode) */
	{
		struct stat again;

		assert_int_equal(he_atomic_write(p, "second", 6, 0640, &err), 0);
		assert_int_equal(stat(p, &again), 0);
		assert_int_equal(again.st_ino, sb.st_ino);
		/* another mode, or other bytes of the same length: written anew */
		assert_int_equal(he_atomic_write(p, "second", 6, 0600, &err), 0);
		assert_int_equal(stat(p, &again), 0);
		assert_int_not_equal(again.st_ino, sb.st_ino);
		assert_int_equal(again.st_mode & 0777, 0600);
		sb = again;
		assert_int_equal(he_atomic_write(p, "secont", 6, 0600, &err), 0);
		assert_int_equal(stat(p, &again), 0);
		assert_int_not_equal(again.st_ino, sb.st_ino);
	}
	/* a directory that does not exist is reported with the path */
	assert_true(he_atomic_write("/nonexistent-he/f", "x", 1, 0600, &err) < 0);
	assert_non_null(strstr(err.msg, "/nonexistent-he/f"));
}

static void test_read_without_state(void **state)
{
	struct he_state *st = NULL;
	struct he_error err = {0};
	char p[128];

	(void)state;
	snprintf(p, sizeof(p), "%s/never", dir);
	/* a reader of a state never written sees it empty, and creates nothing */
	assert_int_equal(he_state_open(p, HE_STATE_READ, 0, &st, &err), 0);
	assert_int_equal(json_object_size(he_state_section(st, "x")), 0);
	he_state_close(st);
	assert_int_equal(access(p, F_OK), -1);
}

/* A reader needs no lock (state.json is replaced whole): it reads while a
 * writer holds it; the lock file is 0600 (fixed if an older version made it
 * 0644) and a busy lock names the holder. */
static void test_reader_needs_no_lock(void **state)
{
	struct he_state *st = NULL, *rd = NULL;
	struct he_error err = {0};
	char p[128];
	struct stat sb;
	pid_t pid;
	int status;

	(void)state;
	snprintf(p, sizeof(p), "%s/lock", dir);
	close(open(p, O_WRONLY | O_CREAT, 0644));
	chmod(p, 0644);
	assert_int_equal(he_state_open(dir, HE_STATE_WRITE, 0, &st, &err), 0);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	json_object_set_new(he_state_section(st, "a"), "k", json_integer(1));
	json_object_set_new(he_state_section(st, "ddns"), "msg", json_string("provider text"));
	assert_int_equal(he_state_save(st, &err), 0);
	/* provider text only in the 0600 file */
	snprintf(p, sizeof(p), "%s/" HE_STATE_PRIVATE, dir);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(p, sizeof(p), "%s/state.json", dir);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);
	{
		char buf[512] = "";
		FILE *f = fopen(p, "r");

		assert_non_null(f);
		assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
		fclose(f);
		assert_null(strstr(buf, "provider text"));
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct he_error e2 = {0};
		struct he_state *w2 = NULL;
		int ok = he_state_open(dir, HE_STATE_READ, 0, &rd, &e2) == 0 &&
			 json_integer_value(json_object_get(he_state_section(rd, "a"), "k")) == 1 &&
			 json_string_value(json_object_get(he_state_section(rd, "ddns"), "msg"));
		char want[64];

		he_state_close(rd);
		snprintf(want, sizeof(want), "(pid %ld)", (long)getppid());
		ok = ok && he_state_open(dir, HE_STATE_WRITE, 0, &w2, &e2) == -EWOULDBLOCK &&
		     strstr(e2.msg, want);
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	he_state_close(st);
	rm("state.json");
	rm(HE_STATE_PRIVATE);
}

/* A planted symlink at any name the temp file might take is not followed. */
static void test_atomic_write_no_follow(void **state)
{
	struct he_error err = {0};
	char p[128], victim[128], link[160], buf[16] = {0};
	FILE *f;

	(void)state;
	snprintf(p, sizeof(p), "%s/f", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	f = fopen(victim, "w");
	assert_non_null(f);
	fputs("keep", f);
	fclose(f);
	/* the name the old code used */
	snprintf(link, sizeof(link), "%s.tmp.%ld", p, (long)getpid());
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(he_atomic_write(p, "new", 3, 0600, &err), 0);
	f = fopen(victim, "r");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof(buf), f), 4);
	fclose(f);
	assert_string_equal(buf, "keep");
	unlink(link);
	unlink(victim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_lock_excludes_second_writer),
	    cmocka_unit_test(test_corrupt_state_is_not_replaced),
	    cmocka_unit_test(test_atomic_write),
	    cmocka_unit_test(test_read_without_state),
	    cmocka_unit_test(test_reader_needs_no_lock),
	    cmocka_unit_test(test_atomic_write_no_follow),
	};
	return cmocka_run_group_tests_name("state", tests, setup, teardown);
}
