/* fw.c: helpers shared by every implementation of the firmware seam (fw.h). */
#include "fw.h"

const char *fw_status_str(enum fw_status status)
{
	switch (status) {
	case FW_OK: return "success";
	case FW_BUFFER_TOO_SMALL: return "buffer too small";
	case FW_INVALID_PARAMETER: return "invalid parameter";
	case FW_NOT_FOUND: return "not found";
	case FW_OUT_OF_RESOURCES: return "out of resources";
	case FW_NOT_READY: return "not ready";
	case FW_ACCESS_DENIED: return "access denied";
	case FW_TIMEOUT: return "timeout";
	case FW_IS_DIRECTORY: return "is a directory, not a file";
	case FW_OTHER: break;
	}
	return "firmware error";
}

const char *fw_file_error_str(enum fw_status status)
{
	switch (status) {
	case FW_NOT_FOUND: return "file not found";
	case FW_IS_DIRECTORY: return "is a directory, not a file";
	case FW_INVALID_PARAMETER: return "the firmware cannot open this name (not ASCII or too long)";
	default: return NULL;
	}
}
