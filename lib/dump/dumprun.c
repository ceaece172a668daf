/* SPDX-License-Identifier: PostgreSQL.  Copyright (c) 2025-2026, the cr authors. */
/* dumprun: locate, start and drain pg_dump for cr-dump; check the privileges
 * a whole-database dump needs, and read what pg_dump said when it failed. */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "dump/dumprun.h"
#include "base/io.h"
#include "pg/pgexec.h"

#define PUMP_BUFSIZE	(256 * 1024)
#define PIPE_SIZE	(1024 * 1024)
#define PUMP_BATCH	(128 * 1024)	/* read once this much is waiting... */
#define PUMP_MAXWAITS	8		/* ...or after this many 1 ms waits */
#define TAILSIZE	2048		/* pg_dump's last stderr bytes kept */

struct dumprun {
	pid_t	 pid;		/* 0 once reaped */
	int	 status;
	int	 out_fd, err_fd;
	int	 passfd;	/* the unlinked passfile, or -1 */
	char	*buf;
	char	 tail[TAILSIZE];	/* the end of pg_dump's stderr, for */
	size_t	 taillen;		/* dumprun_failure */
};

/* Major version from "pg_dump (PostgreSQL) 15.18 (Debian ...)" in
 * PQserverVersion() / 100 units: 1500; or -1. */
static int
dumprun_parse_major(const char *version)
{
	const char *p;
	long major;

	/* "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" */
	if ((p = strstr(version, ") ")) == NULL)
		return -1;
	p += 2;
	if (*p < '0' || *p > '9')
		return -1;
	major = strtol(p, NULL, 10);
	if (major < 7 || major > 1000)
		return -1;
	/* As PQserverVersion() / 100: 15 -> 1500; before 10 the major
	 * version was two numbers: 9.6 -> 906. */
	if (major >= 10)
		return (int)major * 100;
	if ((p = strchr(p, '.')) == NULL)
		return -1;
	return (int)(major * 100 + strtol(p + 1, NULL, 10));
}

/* Start `path --version` with its stdout on a pipe: *pid and *fd. */
static int
version_start(const char *path, pid_t *pid, int *fd, char *err, size_t errlen)
{
	int fds[2], devnull;

	if (pipe2(fds, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((*pid = fork()) == -1) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (*pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		if ((devnull = open("/dev/null", O_RDWR)) != -1) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDERR_FILENO);
		}
		dup2(fds[1], STDOUT_FILENO);
		unsetenv("PGPASSWORD");
		execl(path, path, "--version", (char *)NULL);
		/* Tell the parent why, on the pipe it reads. */
		dprintf(STDOUT_FILENO, "cannot execute: %s\n", strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	*fd = fds[0];
	return 0;
}

/* The first line it printed, once it exited 0 with a pg_dump version. */
static int
version_collect(const char *path, pid_t pid, int fd, char *out, size_t outlen,
    char *err, size_t errlen)
{
	ssize_t n;
	size_t got = 0;
	int status;
	char *nl;

	while (got + 1 < outlen) {
		n = read(fd, out + got, outlen - 1 - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	out[got] = '\0';
	close(fd);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
	if ((nl = strchr(out, '\n')) != NULL)
		*nl = '\0';
	if (WIFSIGNALED(status))
		snprintf(err, errlen, "%s --version was killed by signal %d", path,
		    WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0 && strncmp(out, "cannot execute: ", 16) == 0)
		snprintf(err, errlen, "%s: %s", path, out);
	else if (WEXITSTATUS(status) != 0)
		snprintf(err, errlen, "%s --version exited with status %d", path,
		    WEXITSTATUS(status));
	else if (dumprun_parse_major(out) < 0)
		snprintf(err, errlen, "%s --version printed \"%.60s\", not a pg_dump version",
		    path, out);
	else
		return 0;
	return -1;
}

/* First line of `path --version`, or -1 with the reason in err. */
static int
run_version(const char *path, char *out, size_t outlen, char *err, size_t errlen)
{
	pid_t pid;
	int fd;

	if (version_start(path, &pid, &fd, err, errlen) == -1)
		return -1;
	return version_collect(path, pid, fd, out, outlen, err, errlen);
}

static int
find_on_path(char *path, size_t pathlen)
{
	const char *env = getenv("PATH");
	const char *p, *end;
	int n;

	if (env == NULL || *env == '\0')
		env = "/usr/local/bin:/usr/bin:/bin";
	for (p = env; ; p = end + 1) {
		if ((end = strchr(p, ':')) == NULL)
			end = p + strlen(p);
		n = snprintf(path, pathlen, "%.*s/pg_dump",
		    end == p ? 1 : (int)(end - p), end == p ? "." : p);
		if (n > 0 && (size_t)n < pathlen && access(path, X_OK) == 0)
			return 0;
		if (*end == '\0') {
			path[0] = '\0';
			return -1;
		}
	}
}

/* The newest /usr/lib/postgresql/N/bin/pg_dump, by N. */
static int
find_newest_installed(char *path, size_t pathlen)
{
	glob_t g;
	const char *base = "/usr/lib/postgresql/";
	size_t i;
	long best = -1, n;
	char *end;

	if (glob("/usr/lib/postgresql/*/bin/pg_dump", 0, NULL, &g) != 0)
		return -1;
	for (i = 0; i < g.gl_pathc; i++) {
		n = strtol(g.gl_pathv[i] + strlen(base), &end, 10);
		if (*end != '/' || n <= best || access(g.gl_pathv[i], X_OK) != 0)
			continue;
		best = n;
		strlcpy(path, g.gl_pathv[i], pathlen);
	}
	globfree(&g);
	return best < 0 ? -1 : 0;
}

/* Debian's /usr/bin/pg_dump is pg_wrapper, a Perl script that picks the
 * newest installed pg_dump for a server it does not manage; going there
 * directly saves its start-up, twice. */
static int
is_pg_wrapper(const char *path)
{
	char real[PATH_MAX];
	const char *base;

	if (realpath(path, real) == NULL)
		return 0;
	base = strrchr(real, '/');
	return strcmp(base != NULL ? base + 1 : real, "pg_wrapper") == 0;
}

static void
major_string(int major, char *buf, size_t len)
{
	if (major >= 1000)
		snprintf(buf, len, "%d", major / 100);
	else
		snprintf(buf, len, "%d.%d", major / 100, major % 100);
}

struct dumprun_probe {
	const char	*override;
	char		 path[PATH_MAX];	/* the first candidate, or "" */
	pid_t		 pid;			/* its --version, or 0 */
	int		 fd;
	char		 err[256];
};

struct dumprun_probe *
dumprun_probe_start(const char *override)
{
	struct dumprun_probe *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->fd = -1;
	if (override != NULL && *override != '\0') {
		p->override = override;
		strlcpy(p->path, override, sizeof(p->path));
	} else if (find_on_path(p->path, sizeof(p->path)) == 0 && is_pg_wrapper(p->path) &&
	    getenv("PGCLUSTER") == NULL)
		(void)find_newest_installed(p->path, sizeof(p->path));
	else if (p->path[0] == '\0')
		(void)find_newest_installed(p->path, sizeof(p->path));
	if (p->path[0] != '\0' &&
	    version_start(p->path, &p->pid, &p->fd, p->err, sizeof(p->err)) == -1)
		p->pid = 0;
	return p;
}

void
dumprun_probe_free(struct dumprun_probe *p)
{
	if (p == NULL)
		return;
	if (p->pid > 0) {
		close(p->fd);
		while (waitpid(p->pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
	free(p);
}

int
dumprun_probe_finish(struct dumprun_probe *p, int server_major, char *path,
    size_t pathlen, char *version, size_t versionlen, char *err, size_t errlen)
{
	char candidate[PATH_MAX], why[256], have[16], want[16];
	int major = -1, found = 0, ok;

	major_string(server_major, want, sizeof(want));
	ok = p->pid > 0 && version_collect(p->path, p->pid, p->fd, version, versionlen,
	    why, sizeof(why)) == 0;
	if (p->pid == 0)
		strlcpy(why, p->err, sizeof(why));
	p->pid = 0;
	if (p->override != NULL) {
		if (!ok) {
			snprintf(err, errlen, "CR_PG_DUMP: %s", why);
			return -1;
		}
		major = dumprun_parse_major(version);
		if (major < server_major) {
			major_string(major, have, sizeof(have));
			snprintf(err, errlen, "CR_PG_DUMP=%s is pg_dump %s, which cannot dump "
			    "a PostgreSQL %s server; use pg_dump %s or newer", p->override,
			    have, want, want);
			return -1;
		}
		strlcpy(path, p->override, pathlen);
		return 0;
	}
	if (ok) {
		found = 1;
		major = dumprun_parse_major(version);
		if (major >= server_major) {
			strlcpy(path, p->path, pathlen);
			return 0;
		}
	}
	/* Too old (or unusable): the newest installed one may do. */
	if (find_newest_installed(candidate, sizeof(candidate)) == 0 &&
	    strcmp(candidate, p->path) != 0 &&
	    run_version(candidate, version, versionlen, why, sizeof(why)) == 0) {
		found = 1;
		if (dumprun_parse_major(version) > major)
			major = dumprun_parse_major(version);
		if (dumprun_parse_major(version) >= server_major) {
			strlcpy(path, candidate, pathlen);
			return 0;
		}
	}
	if (!found) {
		snprintf(err, errlen, "no pg_dump on PATH or in /usr/lib/postgresql/*/bin; "
		    "install postgresql-client-%s or set CR_PG_DUMP", want);
		return -1;
	}
	major_string(major, have, sizeof(have));
	snprintf(err, errlen, "the newest pg_dump found is version %s, which cannot dump "
	    "a PostgreSQL %s server; install postgresql-client-%s or set CR_PG_DUMP",
	    have, want, want);
	return -1;
}

/* Append keyword='value' with libpq's quoting (backslash before ' and \). */
static int
append_kv(char **buf, size_t *len, size_t *cap, const char *kw, const char *val)
{
	size_t need = strlen(kw) + 2 * strlen(val) + 5;
	char *grown;

	if (*len + need > *cap) {
		size_t ncap = (*cap + need) * 2;
		if ((grown = realloc(*buf, ncap)) == NULL)
			return -1;
		*buf = grown;
		*cap = ncap;
	}
	if (*len > 0)
		(*buf)[(*len)++] = ' ';
	*len += (size_t)sprintf(*buf + *len, "%s='", kw);
	for (; *val != '\0'; val++) {
		if (*val == '\'' || *val == '\\')
			(*buf)[(*len)++] = '\\';
		(*buf)[(*len)++] = *val;
	}
	(*buf)[(*len)++] = '\'';
	(*buf)[*len] = '\0';
	return 0;
}

char *
dumprun_conninfo(PGconn *conn)
{
	PQconninfoOption *opts, *defs, *o, *d;
	const char *val;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int ok = 1;

	if ((opts = PQconninfo(conn)) == NULL)
		return NULL;
	defs = PQconndefaults();
	/* Pin the host, port, database and role the pre-flight reached. */
	if (append_kv(&buf, &len, &cap, "host", PQhost(conn)) == -1 ||
	    append_kv(&buf, &len, &cap, "port", PQport(conn)) == -1 ||
	    append_kv(&buf, &len, &cap, "dbname", PQdb(conn)) == -1 ||
	    append_kv(&buf, &len, &cap, "user", PQuser(conn)) == -1)
		ok = 0;
	for (o = opts; ok && o->keyword != NULL; o++) {
		if (o->val == NULL || *o->val == '\0' || o->dispchar[0] == '*' ||
		    o->dispchar[0] == 'D' ||
		    strcmp(o->keyword, "host") == 0 || strcmp(o->keyword, "port") == 0 ||
		    strcmp(o->keyword, "dbname") == 0 || strcmp(o->keyword, "user") == 0 ||
		    strcmp(o->keyword, "passfile") == 0 ||
		    strcmp(o->keyword, "fallback_application_name") == 0)
			continue;
		val = o->val;
		if (strcmp(o->keyword, "hostaddr") == 0 && PQhostaddr(conn) != NULL &&
		    *PQhostaddr(conn) != '\0')
			val = PQhostaddr(conn);
		/* Settings equal to libpq's defaults (the child inherits the
		 * same environment) are left out, so an older libpq under an
		 * older pg_dump is not handed keywords it does not know. */
		for (d = defs; d != NULL && d->keyword != NULL; d++)
			if (strcmp(d->keyword, o->keyword) == 0)
				break;
		if (d != NULL && d->keyword != NULL && d->val != NULL &&
		    strcmp(d->val, val) == 0)
			continue;
		if (append_kv(&buf, &len, &cap, o->keyword, val) == -1)
			ok = 0;
	}
	PQconninfoFree(opts);
	if (defs != NULL)
		PQconninfoFree(defs);
	if (!ok) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* An open, already unlinked 0600 file holding the .pgpass line: no name
 * on any file system outlives this function, so a kill -9 leaves nothing
 * behind.  A memfd where there is one; else a file in a private TMPDIR
 * directory, unlinked at once.  libpq reads it as /dev/fd/N. */
static int
open_passfile(char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX], path[PATH_MAX + 8];
	int fd;

	if ((fd = memfd_create("cr-dump-pgpass", MFD_CLOEXEC)) != -1) {
		if (fchmod(fd, 0600) == 0)
			return fd;
		close(fd);
	}
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	if ((size_t)snprintf(dir, sizeof(dir), "%s/cr-dump.XXXXXX", tmp) >= sizeof(dir) ||
	    mkdtemp(dir) == NULL) {
		snprintf(err, errlen, "cannot create a private directory in %s: %s",
		    tmp, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/pgpass", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else
		unlink(path);
	rmdir(dir);
	return fd;
}

static int
write_passfile(struct dumprun *r, const char *password, char *err, size_t errlen)
{
	char line[1024];
	size_t o = 0;
	int rc;

	/* .pgpass: host:port:database:user:password, ':' and '\' escaped. */
	memcpy(line, "*:*:*:*:", 8);
	o = 8;
	for (; *password != '\0'; password++) {
		if (o + 3 >= sizeof(line)) {
			explicit_bzero(line, sizeof(line));
			strlcpy(err, "password too long", errlen);
			return -1;
		}
		if (*password == ':' || *password == '\\')
			line[o++] = '\\';
		line[o++] = *password;
	}
	line[o++] = '\n';
	if ((r->passfd = open_passfile(err, errlen)) == -1) {
		explicit_bzero(line, sizeof(line));
		return -1;
	}
	rc = write(r->passfd, line, o) == (ssize_t)o ? 0 : -1;
	explicit_bzero(line, sizeof(line));
	if (rc == -1) {
		snprintf(err, errlen, "passfile: write failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Close our copy of the passfile (if still open).  Idempotent; also done
 * by dumprun_wait and dumprun_free. */
static void
dumprun_forget_password(struct dumprun *r)
{
	if (r->passfd != -1) {
		close(r->passfd);
		r->passfd = -1;
	}
}

struct dumprun *
dumprun_start(const char *path, char *const argv[], const char *password,
    char *err, size_t errlen)
{
	struct dumprun *r;
	int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, devnull;
	char passfile[32];
	sigset_t none;
	pid_t parent = getpid();

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->buf = malloc(PUMP_BUFSIZE)) == NULL) {
		free(r);
		strlcpy(err, "out of memory", errlen);
		return NULL;
	}
	r->out_fd = r->err_fd = r->passfd = -1;
	if (password != NULL && *password != '\0' &&
	    write_passfile(r, password, err, errlen) == -1)
		goto fail;
	if (pipe2(out, O_CLOEXEC) == -1 || pipe2(errp, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	/* A larger pipe means fewer context switches between the two. */
	(void)fcntl(out[0], F_SETPIPE_SZ, PIPE_SIZE);
	if ((r->pid = fork()) == -1) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		r->pid = 0;
		goto fail;
	}
	if (r->pid == 0) {
		/* pg_dump dies with us, even by SIGKILL; if we are already
		 * gone, so is it. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
			_exit(127);
		/* Ignored signals stay ignored across exec: restore them. */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if ((devnull = open("/dev/null", O_RDONLY)) == -1 ||
		    dup2(devnull, STDIN_FILENO) == -1 ||
		    dup2(out[1], STDOUT_FILENO) == -1 ||
		    dup2(errp[1], STDERR_FILENO) == -1)
			_exit(127);
		unsetenv("PGPASSWORD");
		if (r->passfd != -1) {
			/* Inherited across exec; libpq reopens it by name. */
			if (fcntl(r->passfd, F_SETFD, 0) == -1)
				_exit(127);
			snprintf(passfile, sizeof(passfile), "/dev/fd/%d", r->passfd);
			setenv("PGPASSFILE", passfile, 1);
		}
		execv(path, argv);
		dprintf(STDERR_FILENO, "%s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(errp[1]);
	r->out_fd = out[0];
	r->err_fd = errp[0];
	return r;
fail:
	if (out[0] != -1) {
		close(out[0]);
		close(out[1]);
	}
	if (errp[0] != -1) {
		close(errp[0]);
		close(errp[1]);
	}
	dumprun_forget_password(r);
	free(r->buf);
	free(r);
	return NULL;
}

/* Keep the end of pg_dump's stderr to classify a failure by. */
static void
keep_tail(struct dumprun *r, const char *buf, size_t len)
{
	size_t keep;

	if (len >= TAILSIZE - 1) {
		memcpy(r->tail, buf + len - (TAILSIZE - 1), TAILSIZE - 1);
		r->taillen = TAILSIZE - 1;
	} else {
		keep = r->taillen + len > TAILSIZE - 1 ? TAILSIZE - 1 - len : r->taillen;
		memmove(r->tail, r->tail + r->taillen - keep, keep);
		memcpy(r->tail + keep, buf, len);
		r->taillen = keep + len;
	}
	r->tail[r->taillen] = '\0';
}

int
dumprun_pump(struct dumprun *r, const struct dumprun_io *io)
{
	static const struct timespec pump_wait = { 0, 1000000 };	/* 1 ms */
	struct pollfd pfd[2];
	char ebuf[4096];
	double last_tick = io_clock(), t;
	ssize_t n;
	nfds_t npfd;
	int saved, avail, batch_waits = 0;

	while (r->out_fd != -1 || r->err_fd != -1) {
		if (io->stop != NULL && *io->stop) {
			errno = EINTR;
			return -1;
		}
		npfd = 0;
		if (r->out_fd != -1) {
			pfd[npfd].fd = r->out_fd;
			pfd[npfd++].events = POLLIN;
		}
		if (r->err_fd != -1) {
			pfd[npfd].fd = r->err_fd;
			pfd[npfd++].events = POLLIN;
		}
		if (poll(pfd, npfd, 1000) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		/* stderr first, so a message precedes the end of the data. */
		if (r->err_fd != -1 && (pfd[npfd - 1].revents & (POLLIN | POLLHUP | POLLERR))) {
			n = read(r->err_fd, ebuf, sizeof(ebuf));
			if (n > 0) {
				keep_tail(r, ebuf, (size_t)n);
				if (io->diag != NULL)
					io->diag(io->arg, ebuf, (size_t)n);
			} else if (n == 0 || (n == -1 && errno != EINTR && errno != EAGAIN)) {
				close(r->err_fd);
				r->err_fd = -1;
			}
		}
		if (r->out_fd != -1 && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			/* pg_dump writes 4 KiB at a time; reading each write
			 * as it comes costs a wake-up per 4 KiB, which on two
			 * cores shared with the server is what makes a pipe
			 * slower than /dev/null.  Let the pipe fill a little
			 * (it holds PIPE_SIZE) and read in large batches. */
			if (!(pfd[0].revents & (POLLHUP | POLLERR)) &&
			    batch_waits < PUMP_MAXWAITS &&
			    ioctl(r->out_fd, FIONREAD, &avail) == 0 &&
			    avail < PUMP_BATCH) {
				batch_waits++;
				nanosleep(&pump_wait, NULL);
				continue;
			}
			batch_waits = 0;
			n = read(r->out_fd, r->buf, PUMP_BUFSIZE);
			if (n > 0) {
				if (io->data(io->arg, r->buf, (size_t)n) == -1)
					return -1;
				/* pg_dump has connected once it writes: the
				 * password has done its job. */
				dumprun_forget_password(r);
			} else if (n == 0) {
				close(r->out_fd);
				r->out_fd = -1;
			} else if (errno != EINTR && errno != EAGAIN) {
				saved = errno;
				close(r->out_fd);
				r->out_fd = -1;
				errno = saved;
				return -1;
			}
		}
		if (io->tick != NULL && (t = io_clock()) - last_tick >= 1.0) {
			io->tick(io->arg);
			last_tick = t;
		}
	}
	return 0;
}

void
dumprun_kill(struct dumprun *r, int sig)
{
	if (r->pid > 0)
		kill(r->pid, sig);
}

int
dumprun_wait(struct dumprun *r)
{
	int status;

	if (r->out_fd != -1) {
		close(r->out_fd);
		r->out_fd = -1;
	}
	if (r->err_fd != -1) {
		close(r->err_fd);
		r->err_fd = -1;
	}
	if (r->pid > 0) {
		while (waitpid(r->pid, &status, 0) == -1)
			if (errno != EINTR) {
				dumprun_forget_password(r);
				return -1;
			}
		r->pid = 0;
		r->status = status;
	}
	dumprun_forget_password(r);
	return r->status;
}

void
dumprun_free(struct dumprun *r)
{
	if (r == NULL)
		return;
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		(void)dumprun_wait(r);
	}
	if (r->out_fd != -1)
		close(r->out_fd);
	if (r->err_fd != -1)
		close(r->err_fd);
	dumprun_forget_password(r);
	free(r->buf);
	free(r);
}

/* Tables a whole-database pg_dump locks and reads (extension members aside),
 * that the current role cannot: 'p' for a missing privilege, 'r' for rows
 * row-level security would hide (pg_dump sets row_security off and fails). */
static const char precheck_sql[] =
    "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname), 'p',"
    "       pg_catalog.format('%I', n.nspname)"
    "  FROM pg_catalog.pg_class c"
    "  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
    " WHERE (c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog.\"char\"[])"
    "        OR (c.relkind OPERATOR(pg_catalog.=) 'S' AND NOT $1::pg_catalog.bool))"
    "   AND n.nspname OPERATOR(pg_catalog.<>) 'information_schema'"
    "   AND n.nspname OPERATOR(pg_catalog.!~) '^pg_'"
    "   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
    "        WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
    "          AND d.objid OPERATOR(pg_catalog.=) c.oid"
    "          AND d.deptype OPERATOR(pg_catalog.=) 'e')"
    "   AND NOT (pg_catalog.has_schema_privilege(n.oid, 'USAGE')"
    "        AND pg_catalog.has_table_privilege(c.oid, 'SELECT'))"
    " UNION ALL "
    "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname), 'r',"
    "       pg_catalog.format('%I', n.nspname)"
    "  FROM pg_catalog.pg_class c"
    "  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
    " WHERE NOT $1::pg_catalog.bool"
    "   AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog.\"char\"[])"
    "   AND c.relrowsecurity"
    "   AND n.nspname OPERATOR(pg_catalog.<>) 'information_schema'"
    "   AND n.nspname OPERATOR(pg_catalog.!~) '^pg_'"
    "   AND NOT (SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r"
    "             WHERE r.rolname OPERATOR(pg_catalog.=) current_user)"
    "   AND (c.relforcerowsecurity OR NOT pg_catalog.pg_has_role(c.relowner, 'USAGE'))"
    " ORDER BY 2, 3, 1";

int
dumprun_precheck(PGconn *conn, int schema_only, char *err, size_t errlen,
    char *hint, size_t hintlen, struct pgexec_error *e)
{
	const char *param[1] = { schema_only ? "true" : "false" };
	char role[600], list[512], more[64], schemas[512];
	PGresult *res;
	int i, n, shown = 0;

	if ((res = pgexec_query(conn, "privilege check failed", precheck_sql, 1,
	    param, e)) == NULL)
		return -1;
	if ((n = PQntuples(res)) == 0) {
		PQclear(res);
		return 0;
	}
	if (pgexec_ident(conn, PQuser(conn), role, sizeof(role)) == -1)
		strlcpy(role, "the_role", sizeof(role));
	list[0] = '\0';
	/* Name a few of the tables with the same problem as the first. */
	for (i = 0; i < n && shown < 5; i++) {
		if (strcmp(PQgetvalue(res, i, 1), PQgetvalue(res, 0, 1)) != 0)
			break;
		if (strlen(list) + strlen(PQgetvalue(res, i, 0)) + 3 >= sizeof(list))
			break;
		if (shown++ > 0)
			strlcat(list, ", ", sizeof(list));
		strlcat(list, PQgetvalue(res, i, 0), sizeof(list));
	}
	/* The schemas involved, each once (rows are sorted by name). */
	schemas[0] = '\0';
	for (i = 0; i < n; i++) {
		if (PQgetvalue(res, i, 1)[0] != 'p' ||
		    (i > 0 && strcmp(PQgetvalue(res, i, 2), PQgetvalue(res, i - 1, 2)) == 0) ||
		    strlen(schemas) + strlen(PQgetvalue(res, i, 2)) + 3 >= sizeof(schemas))
			continue;
		if (schemas[0] != '\0')
			strlcat(schemas, ", ", sizeof(schemas));
		strlcat(schemas, PQgetvalue(res, i, 2), sizeof(schemas));
	}
	more[0] = '\0';
	if (n > shown)
		snprintf(more, sizeof(more), " (and %d more)", n - shown);
	if (PQgetvalue(res, 0, 1)[0] == 'p') {
		snprintf(err, errlen, "permission denied for %s%s: role %s cannot read %s",
		    list, more, role, shown > 1 ? "them" : "it");
		snprintf(hint, hintlen, "as a superuser or the owner: GRANT USAGE ON SCHEMA %s TO %s; "
		    "GRANT SELECT ON ALL TABLES IN SCHEMA %s TO %s; "
		    "GRANT SELECT ON ALL SEQUENCES IN SCHEMA %s TO %s; "
		    "or simply: GRANT pg_read_all_data TO %s",
		    schemas, role, schemas, role, schemas, role, role);
	} else {
		snprintf(err, errlen, "row-level security on %s%s would hide rows from role %s",
		    list, more, role);
		snprintf(hint, hintlen, "dump as the table owner, or: ALTER ROLE %s BYPASSRLS", role);
	}
	PQclear(res);
	return 1;
}

enum dumprun_failure
dumprun_failure(const struct dumprun *r, const char *role, char *hint, size_t hintlen)
{
	static const char *const connection[] = {
		"server closed the connection", "connection to server",
		"terminating connection", "could not connect",
		"no connection to the server"
	};
	static const struct {
		const char	*words, *grant, *why;
	} denied[] = {
		{ "permission denied for table ", "SELECT ON ", " (every table dumped needs it)" },
		{ "permission denied for schema ", "USAGE ON SCHEMA ", "" },
	};
	const char *p;
	size_t i;
	int len;

	hint[0] = '\0';
	/* "ERROR:  permission denied for table users": name it in the GRANT. */
	for (i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
		if ((p = strstr(r->tail, denied[i].words)) == NULL)
			continue;
		p += strlen(denied[i].words);
		len = (int)strcspn(p, "\n");
		snprintf(hint, hintlen, "as a superuser or the owner: GRANT %s%.*s TO %s;%s",
		    denied[i].grant, len, p, role, denied[i].why);
		return DUMPRUN_FAILED_PRIVILEGE;
	}
	if (strstr(r->tail, "permission denied") != NULL ||
	    strstr(r->tail, "row-level security") != NULL) {
		snprintf(hint, hintlen, "the role %s needs SELECT on every table "
		    "dumped (or: GRANT pg_read_all_data TO %s)", role, role);
		return DUMPRUN_FAILED_PRIVILEGE;
	}
	for (i = 0; i < sizeof(connection) / sizeof(connection[0]); i++)
		if (strstr(r->tail, connection[i]) != NULL)
			return DUMPRUN_FAILED_CONNECTION;
	return DUMPRUN_FAILED;
}
