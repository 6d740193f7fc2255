/* init.c: /init of the test initramfs; reports the kernel command line and the second initrd, then exits QEMU. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

/* QEMU isa-debug-exit at 0xf4 (tests/boot/README.md): 0x10 -> exit 33, 0x11 -> exit 35. */
#define INIT_EXIT_PORT 0xf4
#define INIT_EXIT_PASS 0x10
#define INIT_EXIT_FAIL 0x11
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

int main(void)
{
	/* The kernel opened /dev/console for us unless the initramfs lacked it. */
	if (fcntl(1, F_GETFD) < 0) {
		mkdir("/dev", 0755);
		mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
		init_console = open("/dev/console", O_WRONLY);
	}
	mkdir("/proc", 0555);
	if (mount("proc", "/proc", "proc", 0, NULL) != 0)
		init_say("TAGBOOT-LINUX: cannot mount /proc\n");

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

	int ok = init_has_word(cmdline, "tagboot.test=1");
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
