/* SPDX-License-Identifier: MIT */
/*
 * nft_txn.c - the one nftables transaction that makes `table inet homeexpose`
 * hold exactly the wanted ports.
 *
 * "add table; delete table; table { ... }" in one buffer is atomic: the kernel
 * applies all of it or none, the table never exists half-built, and it works
 * whether the table existed before or not. An empty port list leaves only the
 * first two lines: the table is removed. Other tables are never named.
 *
 * Beside the accepting chain, a chain on the input hook at a priority before
 * the usual filter chains sets the [firewall] mark bit on packets to our
 * ports, so one rule in another table's chain (`homeexpose firewall
 * integrate`) can accept them: `meta mark & BIT == BIT accept`.
 */
#include "firewall/fw_internal.h"

/*
 * The set is an interval set: a run of consecutive ports of the same
 * exposures (a port range, 60000-60100/udp) is one element FIRST-LAST.
 */
static void add_set(struct he_fw_text *t, const struct he_fw_ports *ports, const char *set,
		    unsigned proto)
{
	int first = 1;

	he_fw_text_add(t, "\tset %s {\n\t\ttype inet_service\n\t\tflags interval\n", set);
	for (size_t i = 0; i < ports->n; i++) {
		const struct he_fw_port *a = &ports->v[i];
		size_t j = he_fw_ports_run_end(ports, i);

		if (a->proto != proto)
			continue;
		he_fw_text_add(t, "%s%u", first ? "\t\telements = { " : ", ", a->port);
		if (j != i)
			he_fw_text_add(t, "-%u", ports->v[j].port);
		he_fw_text_add(t, " comment \"%s\"", a->comment);
		first = 0;
		i = j;
	}
	if (!first)
		he_fw_text_add(t, " }\n");
	he_fw_text_add(t, "\t}\n");
}

char *he_nft_build_txn(const struct he_fw_ports *ports, uint32_t mark)
{
	struct he_fw_text t = {0};

	he_fw_text_add(&t, "add table inet " HE_NFT_TABLE "\n");
	he_fw_text_add(&t, "delete table inet " HE_NFT_TABLE "\n");
	if (ports && ports->n) {
		he_fw_text_add(&t, "table inet " HE_NFT_TABLE " {\n");
		he_fw_text_add(&t, "\tcomment \"managed by homeexpose, do not edit\"\n");
		add_set(&t, ports, "tcp_ports", HE_PROTO_TCP);
		add_set(&t, ports, "udp_ports", HE_PROTO_UDP);
		he_fw_text_add(&t, "\tchain input {\n"
				   "\t\ttype filter hook input priority filter; policy accept;\n"
				   "\t\ttcp dport @tcp_ports accept\n"
				   "\t\tudp dport @udp_ports accept\n"
				   "\t}\n");
		if (mark)
			he_fw_text_add(&t,
				       "\tchain mark_ports {\n"
				       "\t\ttype filter hook input priority %d; policy accept;\n"
				       "\t\ttcp dport @tcp_ports meta mark set meta mark | 0x%08x\n"
				       "\t\tudp dport @udp_ports meta mark set meta mark | 0x%08x\n"
				       "\t}\n",
				       HE_NFT_MARK_PRIO, mark, mark);
		he_fw_text_add(&t, "}\n");
	}
	return he_fw_text_take(&t);
}
