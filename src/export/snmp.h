/* snmp: the SNMP exporter. The AgentX subagent runs as a child of the
 * daemon (snmp_agent.c; snmp.c starts it and restarts it with back-off), so
 * net-snmp's synchronous waits for snmpd never stall the daemon's loop. */
#ifndef AUTONOMY_EXPORT_SNMP_H
#define AUTONOMY_EXPORT_SNMP_H

/* The child's main: `autonomyd --snmp-subagent SOCKET AGENTX BASE_OID`. */
int snmp_agent_main(const char *ctl_socket, const char *agentx, const char *base_oid);

#endif
