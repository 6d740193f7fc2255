/* init.c: /init of the test initramfs; reports the command line, initrds, CPUs, the MADT wakeup mailbox and its wakeup log, the firmware memmap and tagboot's handoff, then exits QEMU. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <x86intrin.h>

/* The wakeup log tagboot's parked APs keep in the mailbox (loader/core/tagboot_wakelog.h). */
#include "tagboot_wakelog.h"

/* QEMU isa-debug-exit at 0xf4 (tests/boot/README.md): 0x10 -> exit 33, 0x11 -> exit 35. */
#define INIT_EXIT_PORT 0xf4
#define INIT_EXIT_PASS 0x10
#define INIT_EXIT_FAIL 0x11
/* setup_data type of tagboot's handoff copy (loader/core/linux_params.h). */
#define INIT_SETUP_TAGBOOT_HANDOFF 0x74620001u
/* The file that only the second initrd carries (tests/linux/linux-boot.sh writes it). */
#define INIT_SECOND_FILE "/tagboot-second/nonce"

static int init_console = 1;

static void init_say(const char *text)
{
	size_t n = strlen(text);
	while (n > 0) {
		ssize_t w = write(init_console, text, n);
		if (w <= 0)
			return;
		text += w;
		n -= (size_t)w;
	}
}

/* Reads a small file into buf (NUL-terminated, trailing newlines cut); false if unreadable. */
static int init_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	return 1;
}

/* True if the space-separated command line holds exactly this word. */
static int init_has_word(const char *cmdline, const char *word)
{
	size_t len = strlen(word);
	for (const char *p = cmdline; (p = strstr(p, word)) != NULL; p += len) {
		int starts = p == cmdline || p[-1] == ' ';
		int ends = p[len] == '\0' || p[len] == ' ';
		if (starts && ends)
			return 1;
	}
	return 0;
}

static void init_sayf_line(const char *prefix, const char *text)
{
	char line[512];
	snprintf(line, sizeof(line), "%s%s\n", prefix, text);
	init_say(line);
}

/* Online CPUs from /sys/devices/system/cpu/online ("0-3" or "0,2-3"); -1 if unreadable. */
static int init_report_cpus(void)
{
	char list[256], line[320];
	if (!init_read_file("/sys/devices/system/cpu/online", list, sizeof(list))) {
		init_say("TAGBOOT-LINUX-CPUS unreadable\n");
		return -1;
	}
	int count = 0;
	for (char *p = list; *p;) {
		long a = strtol(p, &p, 10), b = a;
		if (*p == '-')
			b = strtol(p + 1, &p, 10);
		count += (int)(b - a + 1);
		if (*p == ',')
			p++;
		else
			break;
	}
	snprintf(line, sizeof(line), "TAGBOOT-LINUX-CPUS online=%d list=%s\n", count, list);
	init_say(line);
	return count;
}

static uint64_t init_le(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The MADT as Linux read it: its MP wakeup structure (type 0x10), if any, and then the
 * wakeup log in the mailbox's firmware half, read through /dev/mem. */
static void init_report_wakeup(void)
{
	static unsigned char madt[65536];
	char line[4200];
	int fd = open("/sys/firmware/acpi/tables/APIC", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, madt, sizeof(madt)) : -1;
	if (fd >= 0)
		close(fd);
	uint64_t mailbox = 0;
	int version = -1;
	for (ssize_t off = 44; n > 44 && off + 2 <= n && madt[off + 1] >= 2; off += madt[off + 1]) {
		if (madt[off] == 0x10 && madt[off + 1] >= 16 && off + 16 <= n) {
			version = (int)init_le(madt + off + 2, 2);
			mailbox = init_le(madt + off + 8, 8);
		}
	}
	if (n < 44) {
		init_say("TAGBOOT-LINUX-MADT-WAKEUP unreadable\n");
		return;
	}
	if (version < 0) {
		init_say("TAGBOOT-LINUX-MADT-WAKEUP none\n");
		return;
	}
	snprintf(line, sizeof(line), "TAGBOOT-LINUX-MADT-WAKEUP mailbox=0x%llx version=%d\n",
	         (unsigned long long)mailbox, version);
	init_say(line);
	static unsigned char page[4096];
	fd = open("/dev/mem", O_RDONLY);
	n = fd >= 0 ? pread(fd, page, sizeof(page), (off_t)mailbox) : -1;
	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof(page)) {
		init_say("TAGBOOT-LINUX-WAKELOG unreadable (/dev/mem)\n");
		return;
	}
	if (init_le(page + TB_WAKELOG_LOG, 4) != TB_WAKELOG_MAGIC) {
		init_say("TAGBOOT-LINUX-WAKELOG no-magic\n");
		return;
	}
	uint32_t count = (uint32_t)init_le(page + TB_WAKELOG_COUNT, 4);
	uint32_t shown = count < TB_WAKELOG_MAX ? count : TB_WAKELOG_MAX;
	int len = snprintf(line, sizeof(line), "TAGBOOT-LINUX-WAKELOG count=%u vector=0x%llx ids=",
	                   count, (unsigned long long)init_le(page + TB_WAKELOG_VECTOR, 8));
	for (uint32_t i = 0; i < shown && len < (int)sizeof(line) / 2 - 16; i++)
		len += snprintf(line + len, sizeof(line) - (size_t)len, "%s%llu", i ? "," : "",
		                (unsigned long long)init_le(page + TB_WAKELOG_ENTRIES +
		                                            TB_WAKELOG_ENTRY_SIZE * i, 4));
	/* The checks each AP made of its parking memory before it jumped (TB_WAKELOG_CHECK_*). */
	len += snprintf(line + len, sizeof(line) - (size_t)len, " checks=");
	for (uint32_t i = 0; i < shown && len < (int)sizeof(line) - 16; i++)
		len += snprintf(line + len, sizeof(line) - (size_t)len, "%s%llu", i ? "," : "",
		                (unsigned long long)init_le(page + TB_WAKELOG_ENTRY_CHECKS +
		                                            TB_WAKELOG_ENTRY_SIZE * i, 4));
	snprintf(line + len, sizeof(line) - (size_t)len, "\n");
	init_say(line);
}

/* /sys/firmware/memmap/N: the e820 table as the boot loader gave it. */
static void init_report_memmap(void)
{
	char path[128], start[64], end[64], type[64], text[256];
	for (int i = 0; i < 1024; i++) {
		snprintf(path, sizeof(path), "/sys/firmware/memmap/%d/start", i);
		if (!init_read_file(path, start, sizeof(start)))
			break;
		snprintf(path, sizeof(path), "/sys/firmware/memmap/%d/end", i);
		init_read_file(path, end, sizeof(end));
		snprintf(path, sizeof(path), "/sys/firmware/memmap/%d/type", i);
		init_read_file(path, type, sizeof(type));
		snprintf(text, sizeof(text), "%s %s %s", start, end, type);
		init_sayf_line("TAGBOOT-LINUX-MEMMAP ", text);
	}
}

/* tagboot's handoff blob, if the loader passed it as setup_data, in hex lines. */
static void init_report_handoff(void)
{
	char path[320], type[32];
	DIR *d = opendir("/sys/kernel/boot_params/setup_data");
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/boot_params/setup_data/%s/type", de->d_name);
		if (!init_read_file(path, type, sizeof(type)) ||
		    strtoul(type, NULL, 0) != INIT_SETUP_TAGBOOT_HANDOFF)
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/boot_params/setup_data/%s/data", de->d_name);
		int fd = open(path, O_RDONLY);
		static unsigned char blob[1 << 20];
		/* sysfs hands a binary attribute out a page per read: read to the end. */
		ssize_t n = fd >= 0 ? 0 : -1;
		while (fd >= 0 && (size_t)n < sizeof(blob)) {
			ssize_t got = read(fd, blob + n, sizeof(blob) - (size_t)n);
			if (got <= 0)
				break;
			n += got;
		}
		if (fd >= 0)
			close(fd);
		char line[160];
		snprintf(line, sizeof(line), "TAGBOOT-LINUX-HANDOFF-BEGIN size=%zd\n", n);
		init_say(line);
		for (ssize_t off = 0; off < n; off += 64) {
			int len = snprintf(line, sizeof(line), "TAGBOOT-LINUX-HANDOFF ");
			for (ssize_t i = off; i < n && i < off + 64; i++)
				len += snprintf(line + len, sizeof(line) - (size_t)len, "%02x", blob[i]);
			snprintf(line + len, sizeof(line) - (size_t)len, "\n");
			init_say(line);
		}
		init_say("TAGBOOT-LINUX-HANDOFF-END\n");
	}
	if (d)
		closedir(d);
}

static void init_exit_qemu(int value)
{
	/* The serial tty sends from a buffer under interrupts: without waiting for it to drain,
	 * QEMU can exit before our lines reach the serial log. */
	tcdrain(init_console);
	usleep(200 * 1000);
	if (ioperm(INIT_EXIT_PORT, 1, 1) == 0) {
		outb((unsigned char)value, INIT_EXIT_PORT);
	} else {
		/* No ioperm: /dev/port is the same port through the kernel. */
		int fd = open("/dev/port", O_WRONLY);
		unsigned char v = (unsigned char)value;
		if (fd < 0 || lseek(fd, INIT_EXIT_PORT, SEEK_SET) != INIT_EXIT_PORT || write(fd, &v, 1) != 1)
			init_say("TAGBOOT-LINUX: neither ioperm nor /dev/port reaches port 0xf4\n");
	}
	init_say("TAGBOOT-LINUX: isa-debug-exit did not stop QEMU\n");
	for (;;)
		pause();
}

/* Run argv with the environment, its output on the console line by line behind "BOOTCTL: ". */
static int init_run(char *const argv[])
{
	int fds[2];
	if (pipe(fds) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		char *const env[] = {"SYSTEMD_RELAX_ESP_CHECKS=1", "SYSTEMD_COLORS=0",
		                     "LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu/systemd",
		                     "SYSTEMD_PAGER=cat", "LANG=C.UTF-8", "TERM=dumb", NULL};
		execve(argv[0], argv, env);
		_exit(127);
	}
	close(fds[1]);
	char buf[4096], line[4200];
	size_t have = 0;
	for (;;) {
		ssize_t r = read(fds[0], buf + have, sizeof(buf) - 1 - have);
		if (r <= 0)
			break;
		have += (size_t)r;
		buf[have] = 0;
		char *nl;
		while ((nl = strchr(buf, '\n')) != NULL) {
			*nl = 0;
			snprintf(line, sizeof(line), "BOOTCTL: %s\n", buf);
			init_say(line);
			memmove(buf, nl + 1, have - (size_t)(nl + 1 - buf) + 1);
			have -= (size_t)(nl + 1 - buf);
		}
		if (have == sizeof(buf) - 1)
			have = 0;
	}
	close(fds[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * tagboot.bootctl=1: Debian's own bootctl (the third initrd, tests/linux/linux-boot.sh) reads
 * what the boot loader told the OS through efivarfs: `bootctl status` and `bootctl list`, with
 * the ESP's entries copied to /esp. tagboot.oneshot=ID then runs `bootctl set-oneshot ID` and
 * reboots instead of exiting QEMU.
 */
static void init_bootctl(const char *cmdline)
{
	if (!init_has_word(cmdline, "tagboot.bootctl=1"))
		return;
	int fd = open("/efivarfs.ko", O_RDONLY);
	if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) != 0)
		init_say("TAGBOOT-LINUX: cannot load efivarfs.ko\n");
	if (fd >= 0)
		close(fd);
	mkdir("/sys/firmware/efi/efivars", 0755);
	if (mount("efivarfs", "/sys/firmware/efi/efivars", "efivarfs", 0, NULL) != 0)
		init_say("TAGBOOT-LINUX: cannot mount efivarfs\n");
	/* bootctl wants the ESP at the root of a file system: a bind mount makes /esp one. */
	if (mount("/esp", "/esp", NULL, MS_BIND, NULL) != 0)
		init_say("TAGBOOT-LINUX: cannot bind-mount /esp\n");
	char *status[] = {"/usr/bin/bootctl", "--esp-path=/esp", "--no-pager", "status", NULL};
	char *list[] = {"/usr/bin/bootctl", "--esp-path=/esp", "--no-pager", "list", NULL};
	init_say("TAGBOOT-LINUX-BOOTCTL status\n");
	init_run(status);
	init_say("TAGBOOT-LINUX-BOOTCTL list\n");
	init_run(list);
	const char *one = strstr(cmdline, "tagboot.oneshot=");
	if (one) {
		char id[128];
		size_t n = 0;
		for (one += strlen("tagboot.oneshot="); one[n] && one[n] != ' ' && n + 1 < sizeof(id); n++)
			id[n] = one[n];
		id[n] = 0;
		char *set[] = {"/usr/bin/bootctl", "--esp-path=/esp", "set-oneshot", id, NULL};
		init_say("TAGBOOT-LINUX-BOOTCTL set-oneshot\n");
		int rc = init_run(set);
		char line[200];
		snprintf(line, sizeof(line), "TAGBOOT-LINUX-BOOTCTL set-oneshot rc=%d, rebooting\n", rc);
		init_say(line);
		sync();
		reboot(RB_AUTOBOOT);
	}
	init_say("TAGBOOT-LINUX-BOOTCTL done\n");
}

int main(void)
{
	/* First thing: the TSC, for `make bench` (tests/bench: time until the kernel runs /init). */
	unsigned long long tsc = __rdtsc();
	/* The kernel opened /dev/console for us unless the initramfs lacked it. */
	if (fcntl(1, F_GETFD) < 0) {
		mkdir("/dev", 0755);
		mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
		init_console = open("/dev/console", O_WRONLY);
	}
	mkdir("/proc", 0555);
	if (mount("proc", "/proc", "proc", 0, NULL) != 0)
		init_say("TAGBOOT-LINUX: cannot mount /proc\n");
	mkdir("/sys", 0555);
	if (mount("sysfs", "/sys", "sysfs", 0, NULL) != 0)
		init_say("TAGBOOT-LINUX: cannot mount /sys\n");
	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);

	char cmdline[4096], line[4600], second[256];
	if (!init_read_file("/proc/cmdline", cmdline, sizeof(cmdline)))
		strcpy(cmdline, "(unreadable)");
	snprintf(line, sizeof(line), "\nTAGBOOT-LINUX-OK cmdline=%s\n", cmdline);
	init_say(line);
	struct utsname uts;
	if (uname(&uts) == 0) {
		snprintf(line, sizeof(line), "TAGBOOT-LINUX-RELEASE %s\n", uts.release);
		init_say(line);
	}
	snprintf(line, sizeof(line), "TAGBOOT-LINUX-TSC %llu\n", tsc);
	init_say(line);
	init_bootctl(cmdline);
	int cpus = init_report_cpus();
	init_report_wakeup();
	init_report_memmap();
	init_report_handoff();

	int ok = init_has_word(cmdline, "tagboot.test=1");
	/* tagboot.expect-cpus=N: fewer (or more) CPUs online is a failure. */
	const char *want = strstr(cmdline, "tagboot.expect-cpus=");
	if (want && atoi(want + strlen("tagboot.expect-cpus=")) != cpus) {
		init_say("TAGBOOT-LINUX: not the expected number of CPUs online\n");
		ok = 0;
	}
	if (init_read_file(INIT_SECOND_FILE, second, sizeof(second))) {
		snprintf(line, sizeof(line), "TAGBOOT-LINUX-INITRD2 %s\n", second);
		init_say(line);
	} else {
		init_say("TAGBOOT-LINUX-INITRD2 absent\n");
		/* The two-initrd scenario says so on the command line. */
		if (init_has_word(cmdline, "tagboot.initrd2=1"))
			ok = 0;
	}
	init_say(ok ? "TAGBOOT-LINUX: exiting QEMU (pass)\n" : "TAGBOOT-LINUX: exiting QEMU (fail)\n");
	init_exit_qemu(ok ? INIT_EXIT_PASS : INIT_EXIT_FAIL);
	return 1;
}
