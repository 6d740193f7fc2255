/* blobfile.c: reading and writing whole handoff blobs for the `handoff` tool, with errors
 * that name the file. */
#define _POSIX_C_SOURCE 200809L
#include "commands.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A blob is at most 4 GiB (total_size is a u32); anything larger cannot be one. */
#define BLOBFILE_MAX_SIZE ((long)UINT32_MAX)

void *blobfile_read(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long length;
	void *buf;

	if (f == NULL) {
		fprintf(stderr, "handoff: %s: cannot open: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (length = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "handoff: %s: cannot determine the size: %s\n", path,
		        strerror(errno));
		fclose(f);
		return NULL;
	}
	if (length > BLOBFILE_MAX_SIZE) {
		fprintf(stderr, "handoff: %s: %ld bytes, larger than any handoff (4 GiB)\n", path,
		        length);
		fclose(f);
		return NULL;
	}
	/* malloc's alignment (16 on x86-64) covers the 8 that tb_validate requires; one spare
	 * byte so that an empty file still gets a real pointer. */
	buf = malloc((size_t)length + 1);
	if (buf == NULL) {
		fprintf(stderr, "handoff: %s: out of memory for %ld bytes\n", path, length);
		fclose(f);
		return NULL;
	}
	if (fread(buf, 1, (size_t)length, f) != (size_t)length) {
		fprintf(stderr, "handoff: %s: read error\n", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*size = (size_t)length;
	return buf;
}

int blobfile_write(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL) {
		fprintf(stderr, "handoff: %s: cannot create: %s\n", path, strerror(errno));
		return -1;
	}
	if (fwrite(data, 1, size, f) != size || fclose(f) != 0) {
		fprintf(stderr, "handoff: %s: write error: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}
