/* fuzz_rest_feed.c - feeds an arbitrary Server-Sent Events stream to the
 * REST store's live audit feed parser (src/store/store_rest_feed.c:
 * feed_bytes splits lines, field_line reads fields, event_key parses an
 * audit event's data), through rest_feed_parse_for_test.
 *
 * Input: one byte for the size of the pieces the body arrives in (as curl
 * hands them over; 0 = all at once), then the stream. The keys the parser
 * sends are drained from the socket pair and must be NUL-terminated.
 */
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz/fuzz.h"
#include "store/store_rest.h"

static int sv[2] = { -1, -1 };

static void
drain(void)
{
	struct audit_key k;

	while (recv(sv[0], &k, sizeof k, 0) == (ssize_t)sizeof k)
		if (!memchr(k.tenant_id, '\0', sizeof k.tenant_id))
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (sv[0] < 0) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
			abort();
		/* a full pair makes a send fail rather than block */
		fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
		fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_NONBLOCK);
	}
	rest_feed_parse_for_test(sv[1], (const char *)data + 1, size - 1, data[0]);
	drain();
	return 0;
}
