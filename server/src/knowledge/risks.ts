/**
 * The curated risk catalogue: ports that should not be reachable from the whole internet, why, and what to do.
 *
 * Curated by hand, not generated. Facts come from public sources — the vendors' own security and hardening
 * guides, CISA alerts (SMB best practices, UDP-based amplification attacks TA14-017A, SNMP abuse TA17-156A),
 * NVD entries for the CVEs named, and the port lists of the IaC scanners KICS, Trivy, Checkov and Terrascan
 * (see ../shared/ANCHORS.md, outside this repository). The wording is ours. Every reference is a page of the vendor, CISA or NVD.
 *
 * Rules for entries (checked by test/unit/knowledge/risks.test.ts):
 * - sorted by first port; no two entries overlap on the same protocol (one port, one explanation);
 * - public web ports (80, 443) are deliberately absent: serving them to the world is normal;
 * - `level` says how bad exposure to any source usually is: high (remote takeover or data theft is routine),
 *   medium (dangerous unless hardened, or abused against third parties), low (weak but commonly exposed);
 * - `service` reads "Short name (detail)": hovers and messages use the part before " (".
 *
 * docs/ports.md is generated from this file by scripts/gen-ports-doc.mjs; regenerate it after editing.
 */
import { parsePortSpec } from '../model/port-spec';
import type { Transport } from './registry';

export type RiskLevel = 'high' | 'medium' | 'low';

export interface Risk {
  /** Inclusive port range the entry covers (most are one port). */
  ports: readonly [number, number];
  protocols: readonly Transport[];
  service: string;
  level: RiskLevel;
  /** Why exposure is dangerous, one or two sentences. */
  why: string;
  /** What to do instead. */
  advice: string;
  references?: readonly string[];
  /** A database or cache: usually meant for the application next to it, not for other hosts. */
  datastore?: boolean;
}

const nvd = (cve: string): string => `https://nvd.nist.gov/vuln/detail/${cve}`;
const CISA_AMPLIFICATION = 'https://www.cisa.gov/news-events/alerts/2014/01/17/udp-based-amplification-attacks';
const CISA_SMB = 'https://www.cisa.gov/news-events/alerts/2017/01/16/smb-security-best-practices';
const CISA_SNMP = 'https://www.cisa.gov/news-events/alerts/2017/06/05/reducing-risk-snmp-abuse';

const TCP: readonly Transport[] = ['tcp'];
const UDP: readonly Transport[] = ['udp'];
const BOTH: readonly Transport[] = ['tcp', 'udp'];

export const RISKS: readonly Risk[] = [
  {
    ports: [19, 19],
    protocols: BOTH,
    service: 'CharGEN (character generator)',
    level: 'medium',
    why: 'CharGEN answers any datagram with a burst of text, so a spoofed request turns the host into a reflector in UDP amplification attacks; no current software needs it.',
    advice: 'Disable the service (inetd/xinetd "chargen") and drop port 19 at the boundary.',
    references: [CISA_AMPLIFICATION],
  },
  {
    ports: [20, 21],
    protocols: TCP,
    service: 'FTP (file transfer, data and control)',
    level: 'medium',
    why: 'FTP sends user names, passwords and files in clear text, often allows anonymous login, and FTP daemons have had remote-code bugs (the vsftpd 2.3.4 backdoor, ProFTPD mod_copy CVE-2015-3306); credentials are brute-forced constantly.',
    advice: 'Use SFTP or FTPS instead; if FTP must stay, allow it only from known partners and disable anonymous access.',
    references: [nvd('CVE-2011-2523'), nvd('CVE-2015-3306')],
  },
  {
    ports: [22, 22],
    protocols: TCP,
    service: 'SSH (remote shell)',
    level: 'medium',
    why: 'Internet-facing SSH is hit by password guessing around the clock, and pre-authentication server bugs happen (OpenSSH regreSSHion, CVE-2024-6387); a weak or reused password gives a full shell.',
    advice:
      'Allow SSH from a VPN, bastion or admin network; if it must be public, use keys only (PasswordAuthentication no), no root login, and rate limiting such as fail2ban.',
    references: [nvd('CVE-2024-6387')],
  },
  {
    ports: [23, 23],
    protocols: TCP,
    service: 'Telnet (clear-text remote login)',
    level: 'high',
    why: 'Telnet carries passwords in clear text and is the classic entry point of IoT botnets: Mirai spread by logging in over Telnet with factory-default passwords; telnetd itself has had remote-code bugs (CVE-2020-10188).',
    advice: 'Turn Telnet off and use SSH; on devices that only speak Telnet, reach them through a management network or VPN.',
    references: [nvd('CVE-2020-10188')],
  },
  {
    ports: [25, 25],
    protocols: TCP,
    service: 'SMTP (mail transfer)',
    level: 'medium',
    why: 'A mail server must take mail on 25, but a misconfigured one becomes an open relay that spammers use to send through you (and get your address blocklisted), and MTAs have had remote-code bugs such as Exim CVE-2019-10149.',
    advice:
      'Expose 25 only on real mail exchangers; refuse relaying for unauthenticated clients, keep the MTA patched, and have users submit mail on 587/465 with authentication.',
    references: [nvd('CVE-2019-10149')],
  },
  {
    ports: [53, 53],
    protocols: BOTH,
    service: 'DNS',
    level: 'medium',
    why: 'An open recursive resolver answers anyone and is abused for DNS amplification attacks (small spoofed queries, large answers to the victim) and cache poisoning; DNS servers have had wormable bugs such as SIGRed (CVE-2020-1350).',
    advice:
      'Expose 53 only on authoritative servers, with recursion disabled; restrict recursive resolvers to your own networks, and enable response rate limiting.',
    references: [CISA_AMPLIFICATION, nvd('CVE-2020-1350')],
  },
  {
    ports: [69, 69],
    protocols: UDP,
    service: 'TFTP (trivial file transfer)',
    level: 'high',
    why: 'TFTP has no authentication at all: anyone who can reach it can fetch (and often upload) files such as network device configurations and boot images, and it is listed as a UDP amplification vector.',
    advice: 'Serve TFTP only on the provisioning network that needs it; never to the internet.',
    references: [CISA_AMPLIFICATION],
  },
  {
    ports: [110, 110],
    protocols: TCP,
    service: 'POP3 (clear-text mail retrieval)',
    level: 'low',
    why: 'Plain POP3 sends mailbox passwords in clear text unless STARTTLS is enforced, and mailbox logins are a favourite target of password spraying.',
    advice: 'Offer POP3S on 995 (or IMAPS on 993) instead, or require STARTTLS and rate-limit logins.',
  },
  {
    ports: [111, 111],
    protocols: BOTH,
    service: 'portmapper / rpcbind (ONC RPC)',
    level: 'high',
    why: 'rpcbind tells anyone which RPC services run where (NFS, mountd, NIS), mapping the attack surface, and its UDP side is a known amplification vector.',
    advice: 'Block 111 from outside; if RPC services are not needed, disable rpcbind.',
    references: [CISA_AMPLIFICATION],
  },
  {
    ports: [123, 123],
    protocols: UDP,
    service: 'NTP (network time)',
    level: 'medium',
    why: 'ntpd servers that answer the "monlist" query (CVE-2013-5211) return up to 600 addresses for one small request and were used in some of the largest amplification attacks.',
    advice:
      'If you run a public time server, disable mode 6/7 queries (`restrict default kod nomodify notrap nopeer noquery`, or use chrony); otherwise allow NTP only to and from your chosen upstream servers.',
    references: [nvd('CVE-2013-5211'), CISA_AMPLIFICATION],
  },
  {
    ports: [135, 135],
    protocols: BOTH,
    service: 'MS-RPC (Windows RPC endpoint mapper)',
    level: 'high',
    why: 'The endpoint mapper is the door to DCOM and Windows RPC services: the Blaster worm spread through the RPC DCOM bug (CVE-2003-0352), and today it is used for remote enumeration and lateral movement (WMI, remote service creation).',
    advice: 'Never expose 135 to the internet; allow it only between domain members and from admin networks.',
    references: [nvd('CVE-2003-0352')],
  },
  {
    ports: [137, 138],
    protocols: UDP,
    service: 'NetBIOS name and datagram services',
    level: 'high',
    why: 'NetBIOS leaks host, domain and user names, its name service is spoofed to capture Windows credentials (NBNS poisoning), and it is a UDP amplification vector; CISA advises blocking UDP 137-138 at the boundary.',
    advice: 'Block UDP 137-138 at the network boundary; disable NetBIOS over TCP/IP where it is not needed.',
    references: [CISA_SMB, CISA_AMPLIFICATION],
  },
  {
    ports: [139, 139],
    protocols: TCP,
    service: 'NetBIOS session service (SMB over NetBIOS)',
    level: 'high',
    why: 'Port 139 carries SMB over NetBIOS and is open to the same attacks as 445 (EternalBlue, credential relay, share enumeration).',
    advice: 'Block TCP 139 at the boundary (CISA SMB guidance); share files over a VPN instead.',
    references: [CISA_SMB],
  },
  {
    ports: [143, 143],
    protocols: TCP,
    service: 'IMAP (clear-text mail access)',
    level: 'low',
    why: 'Plain IMAP exposes mailbox passwords unless STARTTLS is enforced, and IMAP logins are a common password-spraying target because they often bypass MFA.',
    advice: 'Offer IMAPS on 993 instead, or require STARTTLS; disable legacy authentication where MFA is expected.',
  },
  {
    ports: [161, 162],
    protocols: UDP,
    service: 'SNMP (network management, agent and traps)',
    level: 'high',
    why: 'SNMP v1/v2c "authenticates" with community strings sent in clear text and often left at "public"/"private"; read access leaks device configuration, write access reconfigures it, agents have had remote-code bugs (Cisco CVE-2017-6736), and SNMP is an amplification vector.',
    advice:
      'Allow SNMP only from your monitoring hosts; use SNMPv3 with authentication and privacy, and change or remove default communities.',
    references: [CISA_SNMP, nvd('CVE-2017-6736'), CISA_AMPLIFICATION],
  },
  {
    ports: [389, 389],
    protocols: BOTH,
    service: 'LDAP / CLDAP (directory)',
    level: 'high',
    why: 'Open LDAP allows directory enumeration (anonymous binds list users and groups) and password spraying against Active Directory; connectionless LDAP on UDP 389 gives some of the highest amplification factors seen in DDoS attacks, and Windows LDAP has had remote-code bugs (CVE-2024-49112).',
    advice:
      'Keep domain controllers and directory servers off the internet; allow LDAP only from internal networks and a VPN, and block UDP 389 at the boundary.',
    references: [CISA_AMPLIFICATION, nvd('CVE-2024-49112')],
  },
  {
    ports: [445, 445],
    protocols: TCP,
    service: 'SMB (Windows file sharing)',
    level: 'high',
    why: 'SMB is the path of wormable exploits: WannaCry and NotPetya spread through EternalBlue (CVE-2017-0144), SMBGhost (CVE-2020-0796) was wormable too, and open SMB invites NTLM credential theft and relay.',
    advice: 'Block TCP 445 at the boundary (CISA guidance); share files over a VPN, disable SMBv1, and require SMB signing.',
    references: [CISA_SMB, nvd('CVE-2017-0144'), nvd('CVE-2020-0796')],
  },
  {
    ports: [502, 502],
    protocols: TCP,
    service: 'Modbus/TCP (industrial control)',
    level: 'high',
    why: 'Modbus has no authentication: anyone who reaches a PLC on 502 can read and write its registers and coils, i.e. change physical processes.',
    advice: 'Keep control networks isolated; reach them only through an industrial DMZ or VPN with an allow-list of engineering stations.',
  },
  {
    ports: [512, 514],
    protocols: TCP,
    service: 'r-services (rexec, rlogin, rsh)',
    level: 'high',
    why: "The Berkeley r-services send passwords in clear text or trust the client's claimed host name and user (.rhosts), which is trivially forged; they are obsolete.",
    advice: 'Disable rexec, rlogin and rsh and use SSH.',
  },
  {
    ports: [514, 514],
    protocols: UDP,
    service: 'syslog (remote logging)',
    level: 'medium',
    why: 'UDP syslog accepts unauthenticated, spoofable messages: anyone can flood the log server or inject false entries that hide an intrusion or trigger log-parser bugs.',
    advice: 'Accept syslog only from your own hosts; prefer syslog over TLS (6514/tcp) for traffic that crosses networks.',
  },
  {
    ports: [623, 623],
    protocols: UDP,
    service: 'IPMI (baseboard management controller)',
    level: 'high',
    why: 'IPMI 2.0 hands out a salted password hash to anyone who asks during RAKP authentication (CVE-2013-4786), so BMC passwords can be cracked offline; BMCs control power, consoles and firmware below the operating system.',
    advice: 'Put BMCs (iDRAC, iLO, IPMI) on a dedicated management network, never on the internet; disable IPMI over LAN where unused.',
    references: [nvd('CVE-2013-4786')],
  },
  {
    ports: [636, 636],
    protocols: TCP,
    service: 'LDAPS (LDAP over TLS)',
    level: 'medium',
    why: 'TLS protects the password on the wire but not the directory: an exposed LDAPS port still allows user enumeration and password spraying against Active Directory accounts.',
    advice: 'Allow LDAPS only from the internal networks and applications that need it.',
  },
  {
    ports: [873, 873],
    protocols: TCP,
    service: 'rsync daemon',
    level: 'high',
    why: 'rsync modules are often configured without authentication, leaking or accepting whole directory trees (backups, web roots), and the daemon had a remote-code heap overflow in 2025 (CVE-2024-12084).',
    advice:
      'Run rsync over SSH instead of the daemon, or allow 873 only from the hosts that sync, with `auth users` and `secrets file` set.',
    references: [nvd('CVE-2024-12084')],
  },
  {
    ports: [1433, 1433],
    protocols: TCP,
    service: 'Microsoft SQL Server',
    level: 'high',
    datastore: true,
    why: 'Internet-facing SQL Servers are brute-forced (the "sa" account) by botnets that then run commands with xp_cmdshell and drop ransomware or miners.',
    advice: 'Allow 1433 only from the application servers; reach administration through a VPN, and disable the sa login.',
    references: ['https://learn.microsoft.com/en-us/sql/sql-server/install/configure-the-windows-firewall-to-allow-sql-server-access'],
  },
  {
    ports: [1434, 1434],
    protocols: UDP,
    service: 'SQL Server Browser (resolution service)',
    level: 'high',
    why: 'The SQL Server Browser answers unauthenticated queries about instances; the SQL Slammer worm (CVE-2002-0649) infected most vulnerable servers on the internet within minutes through this single UDP port, and it can also be abused for reflection.',
    advice: 'Block UDP 1434 at the boundary; use fixed instance ports so clients do not need the Browser service.',
    references: [nvd('CVE-2002-0649')],
  },
  {
    ports: [1521, 1521],
    protocols: TCP,
    service: 'Oracle Database (TNS listener)',
    level: 'high',
    datastore: true,
    why: 'An exposed TNS listener allows SID guessing and password attacks, and listener bugs such as TNS Poison (CVE-2012-1675) let remote attackers hijack database sessions.',
    advice: 'Allow 1521 only from application servers; enable listener valid-node checking, and use a VPN for administration.',
    references: [nvd('CVE-2012-1675')],
  },
  {
    ports: [1883, 1883],
    protocols: TCP,
    service: 'MQTT (IoT message broker, clear text)',
    level: 'medium',
    why: 'Many MQTT brokers accept anonymous clients by default, letting anyone read every topic (sensor data, credentials in payloads) and publish commands to devices.',
    advice:
      "Require authentication and TLS (MQTT over 8883), disable anonymous access, and allow the port only from your devices' networks.",
  },
  {
    ports: [1900, 1900],
    protocols: UDP,
    service: 'SSDP (UPnP discovery)',
    level: 'high',
    why: 'SSDP is meant for the local network only; exposed to the internet it answers spoofed M-SEARCH requests with large replies (a major amplification vector) and reveals UPnP devices to attack.',
    advice: 'Block UDP 1900 at the boundary and disable UPnP on routers and devices facing the internet.',
    references: [CISA_AMPLIFICATION],
  },
  {
    ports: [2049, 2049],
    protocols: BOTH,
    service: 'NFS (network file system)',
    level: 'high',
    why: 'NFS (v3 especially) trusts the client\'s claimed user IDs; an export reachable from the internet can be mounted and read or written by anyone who matches the export list, often "*".',
    advice:
      'Export NFS only to internal networks, restrict exports to specific hosts, use root_squash, and use NFSv4 with Kerberos where possible.',
  },
  {
    ports: [2181, 2181],
    protocols: TCP,
    service: 'Apache ZooKeeper (client port)',
    level: 'high',
    why: 'ZooKeeper has no authentication by default: anyone can read and change the znodes that hold cluster configuration (Kafka, HBase, Solr), and the four-letter-word commands leak connection and environment details.',
    advice:
      "Allow 2181 only from the cluster's clients; enable SASL authentication and ACLs, and restrict 4lw commands (4lw.commands.whitelist).",
    references: ['https://zookeeper.apache.org/doc/current/zookeeperAdmin.html'],
  },
  {
    ports: [2375, 2375],
    protocols: TCP,
    service: 'Docker Engine API (plain HTTP)',
    level: 'high',
    why: 'The unencrypted Docker API has no authentication; anyone who reaches it can start a privileged container that mounts the host filesystem, i.e. root on the host. Cryptomining worms (e.g. Kinsing, TeamTNT) scan for it constantly.',
    advice:
      'Never bind the Docker API to a public address; use the local socket, SSH (`docker -H ssh://…`), or TLS on 2376 with client certificates.',
    references: ['https://docs.docker.com/engine/security/protect-access/'],
  },
  {
    ports: [2376, 2376],
    protocols: TCP,
    service: 'Docker Engine API (TLS)',
    level: 'medium',
    why: 'Port 2376 is only safe when the daemon verifies client certificates (--tlsverify); with TLS but no client verification it is as open as 2375, and a leaked client certificate is root on the host.',
    advice: 'Allow 2376 only from the CI or admin hosts that need it, and run the daemon with --tlsverify and a private CA.',
    references: ['https://docs.docker.com/engine/security/protect-access/'],
  },
  {
    ports: [2379, 2380],
    protocols: TCP,
    service: 'etcd (client and peer API)',
    level: 'high',
    why: 'etcd holds the whole state of a Kubernetes cluster, including every Secret; without client-certificate authentication anyone who reaches it can read all secrets or rewrite the cluster.',
    advice:
      'Allow 2379 only from the API servers and 2380 only between etcd members; enable client and peer TLS with certificate authentication.',
    references: ['https://etcd.io/docs/v3.5/op-guide/security/'],
  },
  {
    ports: [3000, 3000],
    protocols: TCP,
    service: 'Grafana (also common dev servers)',
    level: 'medium',
    why: "Port 3000 is Grafana's default (and that of many development servers); exposed Grafana instances are attacked with default admin/admin logins and path traversal bugs such as CVE-2021-43798, which reads arbitrary files such as grafana.ini and the grafana.db database.",
    advice: 'Put dashboards behind SSO or a VPN, change the default admin password, and do not expose development servers publicly.',
    references: [nvd('CVE-2021-43798')],
  },
  {
    ports: [3306, 3306],
    protocols: TCP,
    service: 'MySQL / MariaDB',
    level: 'high',
    datastore: true,
    why: 'Exposed MySQL servers are brute-forced and ransomed (databases dumped and dropped, with a ransom note left in a table); old versions even had an authentication bypass (CVE-2012-2122).',
    advice:
      'Bind MySQL to localhost or a private network and allow 3306 only from application servers; use a VPN or SSH tunnel for administration.',
    references: [nvd('CVE-2012-2122'), 'https://dev.mysql.com/doc/refman/8.0/en/security-guidelines.html'],
  },
  {
    ports: [3389, 3389],
    protocols: BOTH,
    service: 'RDP (Windows Remote Desktop)',
    level: 'high',
    why: 'Remote Desktop is one of the most attacked services on the internet: password spraying, and pre-authentication bugs such as BlueKeep (CVE-2019-0708) give attackers a foothold for ransomware.',
    advice: 'Allow RDP only from a VPN or bastion network, or put it behind an RD Gateway with MFA.',
    references: [
      'https://www.cisa.gov/news-events/alerts/2019/06/17/microsoft-operating-systems-bluekeep-vulnerability',
      nvd('CVE-2019-0708'),
    ],
  },
  {
    ports: [3702, 3702],
    protocols: UDP,
    service: 'WS-Discovery',
    level: 'medium',
    why: 'WS-Discovery is a local-network protocol (printers, cameras); devices that answer it from the internet are used for reflection attacks with large amplification factors.',
    advice: 'Block UDP 3702 at the boundary.',
  },
  {
    ports: [4369, 4369],
    protocols: TCP,
    service: 'Erlang port mapper (epmd: RabbitMQ, CouchDB clustering)',
    level: 'high',
    why: 'epmd points to Erlang distribution ports, and an Erlang node that accepts a connection with the right cookie runs arbitrary code; CouchDB shipped a default cookie that made this a remote takeover (CVE-2022-24706).',
    advice: 'Allow epmd and the distribution port range only between cluster members; set a long random Erlang cookie.',
    references: [nvd('CVE-2022-24706')],
  },
  {
    ports: [4505, 4506],
    protocols: TCP,
    service: 'SaltStack master (publish and request server)',
    level: 'high',
    why: 'A Salt master controls every minion as root; authentication bypass CVE-2020-11651 let attackers on 4506 run commands on all minions and was mass-exploited within days of disclosure.',
    advice: "Allow 4505-4506 only from your minions' networks (or over a VPN), and keep the master patched.",
    references: [nvd('CVE-2020-11651')],
  },
  {
    ports: [5353, 5353],
    protocols: UDP,
    service: 'mDNS (multicast DNS)',
    level: 'medium',
    why: 'mDNS belongs on the local link; hosts that answer it from the internet leak host and service names and are used as reflectors in amplification attacks.',
    advice: 'Block UDP 5353 at the boundary; it never needs to cross a router.',
    references: [CISA_AMPLIFICATION],
  },
  {
    ports: [5432, 5432],
    protocols: TCP,
    service: 'PostgreSQL',
    level: 'high',
    datastore: true,
    why: 'Exposed PostgreSQL servers are brute-forced, and a superuser login runs operating-system commands through COPY … FROM PROGRAM, which botnets use to install cryptominers.',
    advice:
      'Listen on private addresses only, allow 5432 from application servers, and restrict pg_hba.conf to those hosts with scram-sha-256.',
    references: ['https://www.postgresql.org/docs/current/auth-pg-hba-conf.html'],
  },
  {
    ports: [5601, 5601],
    protocols: TCP,
    service: 'Kibana',
    level: 'high',
    why: 'Kibana without security enabled gives anyone full access to the Elasticsearch data behind it, and old versions had remote code execution (Timelion, CVE-2019-7609).',
    advice: 'Enable Elastic security (authentication) and put Kibana behind SSO or a VPN.',
    references: [nvd('CVE-2019-7609')],
  },
  {
    ports: [5672, 5672],
    protocols: TCP,
    service: 'AMQP (RabbitMQ and other brokers)',
    level: 'medium',
    why: 'Message brokers carry application data and commands; weak or default credentials let attackers read queues or inject messages that back-end workers trust.',
    advice: 'Allow AMQP only from application networks, use AMQPS (5671) with real credentials, and remove the guest user.',
    references: ['https://www.rabbitmq.com/docs/access-control'],
  },
  {
    ports: [5900, 5903],
    protocols: TCP,
    service: 'VNC (remote framebuffer, displays :0-:3)',
    level: 'high',
    why: 'VNC servers are often unauthenticated or protected by a short password (8 characters in classic VNC auth) and unencrypted; exposed screens are found by scanners daily, and some servers had authentication bypasses (RealVNC CVE-2006-2369).',
    advice: 'Reach VNC through an SSH tunnel or VPN only, and set strong authentication.',
    references: [nvd('CVE-2006-2369')],
  },
  {
    ports: [5984, 5984],
    protocols: TCP,
    service: 'Apache CouchDB',
    level: 'high',
    datastore: true,
    why: 'CouchDB instances left in "admin party" mode or running vulnerable versions are taken over remotely: CVE-2017-12635 and CVE-2017-12636 together gave admin rights and code execution and were used for cryptomining.',
    advice: 'Create an admin user, bind CouchDB to private addresses, and put it behind a VPN or an authenticating proxy.',
    references: [nvd('CVE-2017-12635'), nvd('CVE-2017-12636')],
  },
  {
    ports: [5985, 5986],
    protocols: TCP,
    service: 'WinRM (PowerShell remoting, HTTP/HTTPS)',
    level: 'high',
    why: 'WinRM gives a remote PowerShell to anyone with a valid account, so it is sprayed with passwords and used for lateral movement; on Azure Linux VMs the same ports served OMI, whose OMIGOD bug (CVE-2021-38647) allowed unauthenticated root code execution.',
    advice: 'Allow WinRM only from admin networks or a jump host; prefer HTTPS (5986) with certificate checks.',
    references: [
      'https://learn.microsoft.com/en-us/windows/win32/winrm/installation-and-configuration-for-windows-remote-management',
      nvd('CVE-2021-38647'),
    ],
  },
  {
    ports: [6000, 6063],
    protocols: TCP,
    service: 'X11 (X Window System displays)',
    level: 'high',
    why: "An X server that accepts remote connections (xhost +) lets anyone capture the screen, log keystrokes and inject input into the user's session.",
    advice: 'Start X with -nolisten tcp and use SSH X11 forwarding when remote display is needed.',
  },
  {
    ports: [6379, 6379],
    protocols: TCP,
    service: 'Redis',
    level: 'high',
    datastore: true,
    why: 'Redis has historically run without authentication; exposed instances are hijacked by writing SSH keys or cron jobs with CONFIG SET, or by Lua sandbox escapes (CVE-2022-0543), and are a staple target of cryptomining worms.',
    advice:
      'Bind Redis to localhost or a private network, enable protected mode and ACLs/requirepass, and allow 6379 only from the application servers.',
    references: ['https://redis.io/docs/latest/operate/oss_and_stack/management/security/', nvd('CVE-2022-0543')],
  },
  {
    ports: [6443, 6443],
    protocols: TCP,
    service: 'Kubernetes API server',
    level: 'medium',
    why: 'The API server controls the whole cluster; exposing it to the internet invites credential attacks and exploitation of API bugs such as CVE-2018-1002105, which let ordinary or anonymous users escalate to cluster admin.',
    advice:
      "Restrict the API endpoint to admin networks, a VPN or the cloud provider's authorised-networks list; disable anonymous auth and keep RBAC tight.",
    references: [nvd('CVE-2018-1002105'), 'https://kubernetes.io/docs/tasks/administer-cluster/securing-a-cluster/'],
  },
  {
    ports: [7000, 7001],
    protocols: TCP,
    service: 'Cassandra inter-node (7001 with TLS)',
    level: 'high',
    why: "Cassandra's gossip and replication ports trust any node that connects unless internode encryption and authentication are set up; a reachable port lets an attacker join or disrupt the ring and read replicated data.",
    advice: 'Allow 7000-7001 only between cluster members and enable internode encryption with client authentication.',
  },
  {
    ports: [7199, 7199],
    protocols: TCP,
    service: 'Cassandra JMX (nodetool)',
    level: 'high',
    why: 'Remote JMX without authentication lets anyone manage the node, and JMX can load MBeans, which turns access into remote code execution on the database host.',
    advice:
      'Keep JMX bound to localhost (the default LOCAL_JMX=yes); if remote JMX is needed, enable authentication and TLS and allow only admin hosts.',
  },
  {
    ports: [8080, 8080],
    protocols: TCP,
    service: 'HTTP alternate (Jenkins, Tomcat, dev servers)',
    level: 'low',
    why: 'Port 8080 is where admin consoles and unfinished services tend to live: Jenkins (script console, CLI file read CVE-2024-23897), Tomcat Manager with default credentials, development servers without authentication.',
    advice: 'Serve public sites on 80/443 through a reverse proxy; keep CI and admin consoles behind SSO or a VPN.',
    references: [nvd('CVE-2024-23897')],
  },
  {
    ports: [8086, 8086],
    protocols: TCP,
    service: 'InfluxDB HTTP API',
    level: 'high',
    datastore: true,
    why: 'InfluxDB 1.x ships with authentication disabled, and versions before 1.7.6 had an authentication bypass (CVE-2019-20933): anyone can query or delete the stored metrics.',
    advice: 'Enable authentication, allow 8086 only from writers and dashboards, and use TLS.',
    references: [nvd('CVE-2019-20933')],
  },
  {
    ports: [8088, 8088],
    protocols: TCP,
    service: 'Hadoop YARN ResourceManager',
    level: 'high',
    why: 'Without Kerberos, the YARN REST API accepts new applications from anyone, i.e. arbitrary commands on the cluster; botnets such as DemonBot and cryptominers scan for it.',
    advice: 'Enable Hadoop secure mode (Kerberos) and keep cluster web UIs and APIs on an internal network.',
    references: ['https://hadoop.apache.org/docs/stable/hadoop-project-dist/hadoop-common/SecureMode.html'],
  },
  {
    ports: [8140, 8140],
    protocols: TCP,
    service: 'Puppet server',
    level: 'medium',
    why: 'The Puppet server hands out catalogues (often with secrets) and signs agent certificates; misconfigured auto-signing or server bugs (YAML deserialisation in the REST API, CVE-2013-3567) turn it into control of every managed node.',
    advice: "Allow 8140 only from managed nodes' networks, disable naive auto-signing, and keep the server patched.",
    references: [nvd('CVE-2013-3567')],
  },
  {
    ports: [8500, 8500],
    protocols: TCP,
    service: 'HashiCorp Consul HTTP API',
    level: 'high',
    why: 'Without ACLs the Consul API lets anyone read the key/value store and register services; with script checks enabled, registering a check runs commands on the agent host, which attackers use for remote code execution.',
    advice:
      'Enable ACLs with a default-deny policy, disable script checks from the API (enable_script_checks=false), and keep 8500 internal.',
  },
  {
    ports: [8888, 8888],
    protocols: TCP,
    service: 'Jupyter Notebook / JupyterLab',
    level: 'high',
    why: 'A Jupyter server is a remote code-execution service by design; servers started without a token or password are found and used for cryptomining and data theft.',
    advice: 'Keep Jupyter on localhost and use an SSH tunnel, or run JupyterHub behind SSO with TLS.',
  },
  {
    ports: [8983, 8983],
    protocols: TCP,
    service: 'Apache Solr',
    level: 'high',
    why: "Solr's admin API is unauthenticated by default; attackers change a core's configuration to enable templates and run code (Velocity, CVE-2019-17558).",
    advice: 'Enable Solr authentication, keep 8983 on an internal network, and put public search behind an application.',
    references: [nvd('CVE-2019-17558')],
  },
  {
    ports: [9000, 9000],
    protocols: TCP,
    service: 'PHP-FPM FastCGI (and various admin UIs)',
    level: 'medium',
    why: 'PHP-FPM trusts whoever speaks FastCGI to it: a reachable port 9000 lets an attacker set PHP options such as auto_prepend_file and run code. Port 9000 is also the default of several admin UIs (Portainer, SonarQube, MinIO console).',
    advice: 'Bind PHP-FPM to a Unix socket or 127.0.0.1 and restrict listen.allowed_clients; keep admin UIs internal.',
  },
  {
    ports: [9042, 9042],
    protocols: TCP,
    service: 'Cassandra CQL native protocol',
    level: 'high',
    datastore: true,
    why: 'Cassandra ships with authentication off (AllowAllAuthenticator) or the well-known cassandra/cassandra superuser; exposed clusters are dumped and ransomed, and user-defined functions enabled unsafely allow code execution (CVE-2021-44521).',
    advice: 'Enable PasswordAuthenticator, replace the default superuser, use client TLS, and allow 9042 only from applications.',
    references: [nvd('CVE-2021-44521')],
  },
  {
    ports: [9090, 9090],
    protocols: TCP,
    service: 'Prometheus server',
    level: 'medium',
    why: 'Prometheus has no built-in authentication: anyone can query every metric (host names, internal addresses, sometimes secrets in labels) and read its configuration, and the admin API, if enabled, deletes data.',
    advice: 'Put Prometheus behind an authenticating reverse proxy or a VPN; enable basic auth/TLS via the web config file.',
    references: ['https://prometheus.io/docs/operating/security/'],
  },
  {
    ports: [9092, 9092],
    protocols: TCP,
    service: 'Apache Kafka broker',
    level: 'high',
    why: "Kafka's default PLAINTEXT listener has no authentication or authorisation: anyone who reaches it can read every topic, publish forged events and delete topics.",
    advice: 'Use SASL_SSL listeners with ACLs, and allow the broker ports only from producers and consumers.',
    references: ['https://kafka.apache.org/documentation/#security'],
  },
  {
    ports: [9100, 9100],
    protocols: TCP,
    service: 'Prometheus node exporter (also raw printing)',
    level: 'medium',
    why: 'node_exporter publishes detailed system data to anyone (kernel and software versions, mounts, network interfaces), which helps attackers choose exploits; on printers 9100 is raw JetDirect printing, which accepts any job.',
    advice: 'Scrape exporters over an internal network or with TLS and basic auth; never expose printers to the internet.',
    references: ['https://prometheus.io/docs/operating/security/'],
  },
  {
    ports: [9200, 9200],
    protocols: TCP,
    service: 'Elasticsearch HTTP API',
    level: 'high',
    datastore: true,
    why: 'Elasticsearch before 8.0 ran without authentication by default; exposed clusters are behind many large data leaks and ransom wipes, and old versions had remote code execution through scripting (CVE-2014-3120, CVE-2015-1427).',
    advice: 'Enable Elastic security (authentication and TLS), bind to private addresses, and allow 9200 only from applications.',
    references: [nvd('CVE-2015-1427'), nvd('CVE-2014-3120')],
  },
  {
    ports: [9300, 9300],
    protocols: TCP,
    service: 'Elasticsearch transport (node-to-node)',
    level: 'high',
    why: 'The transport port carries cluster-internal traffic; without transport TLS a reachable port lets an attacker join a rogue node to the cluster and receive its data.',
    advice: 'Allow 9300 only between cluster nodes and enable transport TLS with certificate verification.',
  },
  {
    ports: [9870, 9870],
    protocols: TCP,
    service: 'Hadoop HDFS NameNode web UI (Hadoop 3)',
    level: 'high',
    why: 'Without Kerberos, the NameNode UI and WebHDFS let anyone browse, download and delete files, claiming any user name with ?user.name=.',
    advice: 'Enable Hadoop secure mode (Kerberos, SPNEGO for the web UIs) and keep cluster ports internal.',
    references: ['https://hadoop.apache.org/docs/stable/hadoop-project-dist/hadoop-common/SecureMode.html'],
  },
  {
    ports: [10250, 10250],
    protocols: TCP,
    service: 'Kubernetes kubelet API',
    level: 'high',
    why: 'A kubelet with anonymous authentication lets anyone list pods and run commands in any container on the node (/exec, /run); cryptomining campaigns (TeamTNT, Kinsing) hunt for it.',
    advice: 'Set --anonymous-auth=false and --authorization-mode=Webhook, and allow 10250 only from the control plane.',
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/'],
  },
  {
    ports: [10255, 10255],
    protocols: TCP,
    service: 'Kubernetes kubelet read-only API',
    level: 'medium',
    why: 'The deprecated read-only port serves pod specs and node information without any authentication, exposing images, environment variables and internal topology.',
    advice: 'Disable it (readOnlyPort: 0 in the kubelet config, or --read-only-port=0); use the authenticated port 10250 for metrics.',
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/'],
  },
  {
    ports: [11211, 11211],
    protocols: BOTH,
    service: 'Memcached',
    level: 'high',
    datastore: true,
    why: 'Memcached has no authentication, so exposed caches leak and accept data; over UDP it amplifies spoofed requests by up to about 50,000 times (CVE-2018-1000115), which powered the 1.35 Tbps attack on GitHub in 2018.',
    advice:
      'Bind memcached to localhost or a private network, disable UDP (-U 0, the default since 1.5.6), and allow 11211 only from application servers.',
    references: [nvd('CVE-2018-1000115'), CISA_AMPLIFICATION],
  },
  {
    ports: [15672, 15672],
    protocols: TCP,
    service: 'RabbitMQ management UI and API',
    level: 'medium',
    why: 'The management plugin can read and publish to every queue and change users; exposed consoles are attacked with the well-known guest/guest and weak admin passwords.',
    advice: 'Keep the management UI on an internal network or behind SSO; remove the guest user and use strong credentials.',
    references: ['https://www.rabbitmq.com/docs/access-control'],
  },
  {
    ports: [27017, 27018],
    protocols: TCP,
    service: 'MongoDB',
    level: 'high',
    datastore: true,
    why: 'MongoDB long ran without access control by default; tens of thousands of exposed databases were wiped and ransomed in automated campaigns starting in 2017.',
    advice:
      'Enable access control (security.authorization), bind to private addresses, and allow 27017-27018 only from application servers.',
    references: ['https://www.mongodb.com/docs/manual/administration/security-checklist/'],
  },
  {
    ports: [47808, 47808],
    protocols: UDP,
    service: 'BACnet/IP (building automation)',
    level: 'high',
    why: 'BACnet has no authentication in common deployments: anyone who reaches a controller can read and write HVAC, access-control and lighting points.',
    advice: 'Isolate building-automation networks and reach them through a VPN; never expose BACnet to the internet.',
  },
  {
    ports: [50070, 50070],
    protocols: TCP,
    service: 'Hadoop HDFS NameNode web UI (Hadoop 2)',
    level: 'high',
    why: 'Without Kerberos, the NameNode UI and WebHDFS let anyone browse, download and delete files, claiming any user name with ?user.name=; exposed clusters have been wiped in ransom campaigns.',
    advice: 'Enable Hadoop secure mode (Kerberos, SPNEGO for the web UIs) and keep cluster ports internal.',
    references: ['https://hadoop.apache.org/docs/stable/hadoop-project-dist/hadoop-common/SecureMode.html'],
  },
  {
    ports: [61616, 61616],
    protocols: TCP,
    service: 'Apache ActiveMQ OpenWire',
    level: 'high',
    why: 'The OpenWire port of ActiveMQ Classic had an unauthenticated deserialisation bug (CVE-2023-46604) that gave remote code execution and was exploited by ransomware groups within days.',
    advice: 'Allow 61616 only from the applications that use the broker, require authentication, and keep ActiveMQ patched.',
    references: [nvd('CVE-2023-46604')],
  },
];

/** True when an entry covers any port of [lo, hi] for the protocol. */
function overlaps(r: Risk, lo: number, hi: number, protocol: string): boolean {
  return r.ports[0] <= hi && r.ports[1] >= lo && (r.protocols as readonly string[]).includes(protocol);
}

/** A set of risk entries with the lookups analysis and hovers need. Lists returned are shared: never change them. */
export interface RiskCatalogue {
  readonly entries: readonly Risk[];
  /** Entries covering one port for a protocol. */
  risksFor(port: number, protocol: Transport): readonly Risk[];
  /** Entries overlapping the inclusive port range [lo, hi] for a protocol. */
  risksInRange(lo: number, hi: number, protocol: Transport): readonly Risk[];
}

const NO_RISKS: readonly Risk[] = [];
/** Single-port answers kept per catalogue (keyed port × 2 + protocol), bounded so memory stays flat. */
const KNOWN_LIMIT = 4096;

export function catalogue(entries: readonly Risk[]): RiskCatalogue {
  // Most ports a file opens have no entry (a 500-service compose file asks thousands of times): a search of the
  // ports some entry covers answers those without the scan.
  const covered = mergedRanges(entries.map(({ ports: [a, b] }) => [Math.min(a, b), Math.max(a, b)] as const));
  // The same few ports come back rule after rule (every web service's 80/tcp): each TCP or UDP port is scanned once.
  const known = new Map<number, readonly Risk[]>();
  const scan = (a: number, b: number, protocol: Transport): readonly Risk[] => {
    if (!meets(covered, a, b)) return NO_RISKS;
    if (a !== b || (protocol !== 'tcp' && protocol !== 'udp')) return entries.filter((r) => overlaps(r, a, b, protocol));
    const key = 2 * a + (protocol === 'tcp' ? 0 : 1);
    let found = known.get(key);
    if (!found) {
      found = entries.filter((r) => overlaps(r, a, a, protocol));
      if (!found.length) found = NO_RISKS;
      if (known.size < KNOWN_LIMIT) known.set(key, found);
    }
    return found;
  };
  return {
    entries,
    risksFor: (port, protocol) => scan(port, port, protocol),
    risksInRange: (lo, hi, protocol) => scan(Math.min(lo, hi), Math.max(lo, hi), protocol),
  };
}

/** Sorted, disjoint [lo, hi] ranges covering exactly the ranges given. */
function mergedRanges(ranges: readonly (readonly [number, number])[]): [number, number][] {
  const out: [number, number][] = [];
  for (const [lo, hi] of [...ranges].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && lo <= last[1]) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** Whether [lo, hi] shares a port with one of the sorted, disjoint ranges. */
function meets(ranges: readonly [number, number][], lo: number, hi: number): boolean {
  // The first range that ends at or after lo is the only one that can start at or before hi.
  let a = 0;
  let b = ranges.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (ranges[m][1] < lo) a = m + 1;
    else b = m;
  }
  return a < ranges.length && ranges[a][0] <= hi;
}

/** The built-in catalogue. */
export const CATALOGUE: RiskCatalogue = catalogue(RISKS);

export function risksFor(port: number, protocol: Transport): readonly Risk[] {
  return CATALOGUE.risksFor(port, protocol);
}

export function risksInRange(lo: number, hi: number, protocol: Transport): readonly Risk[] {
  return CATALOGUE.risksInRange(lo, hi, protocol);
}

/** A user-supplied risky-port spec that could not be read. */
export class RiskSpecError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid risky port${problems.length > 1 ? 's' : ''}: ${problems.join('; ')}`);
    this.name = 'RiskSpecError';
  }
}

const SPEC_RULES = { minPort: 0, protocols: ['tcp', 'udp', 'sctp', 'dccp'] satisfies Transport[] };

/**
 * Reads one user spec — "9000" (TCP and UDP), "8443/tcp", "7000-7010/udp" (or "7000:7010", as iptables
 * writes ranges) — into a catalogue entry. Returns an error message instead when the spec is not valid.
 */
export function parseRiskSpec(spec: string): Risk | string {
  const text = String(spec).trim();
  const parsed = parsePortSpec(text, SPEC_RULES);
  if (typeof parsed === 'string') return parsed;
  const { lo, hi } = parsed;
  const protocols: readonly Transport[] = parsed.protocol ? [parsed.protocol as Transport] : BOTH;
  return {
    ports: [lo, hi],
    protocols,
    service: `port ${text} (your settings)`,
    level: 'high',
    why: 'Listed as risky in your Portcullis settings (portcullis.riskyPorts).',
    advice: 'Allow it only from the networks that need it.',
  };
}

/** Reads many specs, keeping the good ones and collecting a message for each bad one. */
export function parseRiskSpecs(specs: readonly string[]): { risks: Risk[]; errors: string[] } {
  const risks: Risk[] = [];
  const errors: string[] = [];
  for (const spec of specs) {
    const r = parseRiskSpec(spec);
    if (typeof r === 'string') errors.push(r);
    else risks.push(r);
  }
  return { risks, errors };
}

/**
 * The built-in catalogue (or `base`) plus the user's extra risky ports. A spec that adds nothing — the same
 * range and protocols as an existing entry — is dropped, so a port keeps its curated explanation.
 * Throws a RiskSpecError naming every bad spec; use parseRiskSpecs to report and carry on instead.
 */
export function withExtraRisks(extra: readonly string[], base: RiskCatalogue = CATALOGUE): RiskCatalogue {
  const { risks, errors } = parseRiskSpecs(extra);
  if (errors.length) throw new RiskSpecError(errors);
  const fresh = risks.filter(
    (x) =>
      !base.entries.some(
        (r) => r.ports[0] === x.ports[0] && r.ports[1] === x.ports[1] && x.protocols.every((p) => r.protocols.includes(p)),
      ),
  );
  return fresh.length ? catalogue([...base.entries, ...fresh]) : base;
}
