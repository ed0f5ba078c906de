import { generateClientCertificate, type ClientCertificate } from "./certificates.js";
import type { Simulator } from "./simulator.js";

/**
 * A ready-made tenant for the demo, the benchmarks and tests that need "a normal customer": one app
 * with a secret and a certificate, an app whose only secret has expired, an app restricted by an
 * application access policy, a service user, and mailboxes in each state Graph distinguishes.
 */
export interface DemoTenantOptions {
  seed?: number;
  /** Seeded messages per licensed mailbox (default 500). */
  messagesPerMailbox?: number;
  /** Extra licensed mailboxes user01…userNN (default 0). */
  extraMailboxes?: number;
  /** Reuse a client certificate instead of generating one (RSA generation takes ~100 ms). */
  certificate?: ClientCertificate;
}

export interface DemoApp {
  clientId: string;
  clientSecret: string;
}

export interface DemoTenant {
  tenantId: string;
  domain: string;
  authorityUrl: string;
  graphEndpoint: string;
  /** Secret and certificate credentials; no access policy. */
  app: DemoApp & { certificate: ClientCertificate };
  /** Its only secret expired yesterday (AADSTS7000222). */
  expiredSecretApp: DemoApp;
  /** Restricted by an application access policy to alice and bob. */
  restrictedApp: DemoApp;
  serviceUser: { username: string; password: string };
  /**
   * EWS (the tenant's self-hosted Exchange): the endpoint, the resource to ask tokens for, and a
   * service user with Full Access on alice, bob and erin (not carol) under both name forms, plus a
   * locked-out account.
   */
  ews: {
    url: string;
    resource: string;
    serviceUser: { username: string; upn: string; password: string; fullAccessTo: string[] };
    lockedUser: { username: string; password: string };
  };
  mailboxes: {
    alice: string;
    bob: string;
    /** Licensed, outside restrictedApp's access policy. */
    carol: string;
    /** Unlicensed: MailboxNotEnabledForRESTAPI. */
    dave: string;
    /** Hosted on-premises: MailboxNotEnabledForRESTAPI. */
    erin: string;
    extra: string[];
  };
}

export async function seedDemoTenant(
  sim: Simulator,
  options: DemoTenantOptions = {},
): Promise<DemoTenant> {
  const seed = options.seed ?? 42;
  const messages = options.messagesPerMailbox ?? 500;
  const tenant = sim.addTenant({ name: "contoso", domains: ["contoso.com"], seed });
  const domain = tenant.defaultDomain;
  const address = (local: string): string => `${local}@${domain}`;

  const certificate =
    options.certificate ?? (await generateClientCertificate({ commonName: "mailstream-demo" }));
  const app = tenant.addApp({ displayName: "Mailstream" });
  const secret = app.addSecret();
  app.addCertificate(certificate.certPem);

  const expired = tenant.addApp({ displayName: "Mailstream (expired secret)" });
  const expiredSecret = expired.addSecret({ expiresAt: new Date(sim.now() - 24 * 3600 * 1000) });

  const restricted = tenant.addApp({ displayName: "Mailstream (restricted)" });
  const restrictedSecret = restricted.addSecret();
  restricted.setAccessPolicies([
    { mode: "RestrictAccess", mailboxes: [address("alice"), address("bob")] },
  ]);

  for (const name of ["alice", "bob", "carol"])
    tenant.addMailbox({ email: address(name), messages });
  tenant.addMailbox({ email: address("dave"), kind: "unlicensed", messages: 0 });
  tenant.addMailbox({ email: address("erin"), kind: "onPremises", messages: 0 });
  const extra: string[] = [];
  for (let i = 1; i <= (options.extraMailboxes ?? 0); i++) {
    const email = address(`user${String(i).padStart(2, "0")}`);
    tenant.addMailbox({ email, messages });
    extra.push(email);
  }
  const serviceUser = { username: address("svc-mailstream"), password: "Sim-Passw0rd!" };
  tenant.addServiceUser({
    upn: serviceUser.username,
    password: serviceUser.password,
    fullAccessTo: [address("alice")],
  });

  const ewsUpn = address("svc-ews");
  const ewsPassword = "Ews-Passw0rd!";
  const ewsFullAccess = [address("alice"), address("bob"), address("erin")];
  tenant.addServiceUser({ upn: ewsUpn, password: ewsPassword, fullAccessTo: ewsFullAccess });
  tenant.addServiceUser({ upn: address("svc-locked"), password: ewsPassword, locked: true });
  const netbios = tenant.name.toUpperCase();

  return {
    tenantId: tenant.id,
    domain,
    authorityUrl: sim.authorityUrl(tenant),
    graphEndpoint: sim.graphUrl,
    app: { clientId: app.clientId, clientSecret: secret.value, certificate },
    expiredSecretApp: { clientId: expired.clientId, clientSecret: expiredSecret.value },
    restrictedApp: { clientId: restricted.clientId, clientSecret: restrictedSecret.value },
    serviceUser,
    ews: {
      url: sim.ewsUrl,
      resource: `${sim.ewsOrigin}/.default`,
      serviceUser: {
        username: `${netbios}\\svc-ews`,
        upn: ewsUpn,
        password: ewsPassword,
        fullAccessTo: ewsFullAccess,
      },
      lockedUser: { username: `${netbios}\\svc-locked`, password: ewsPassword },
    },
    mailboxes: {
      alice: address("alice"),
      bob: address("bob"),
      carol: address("carol"),
      dave: address("dave"),
      erin: address("erin"),
      extra,
    },
  };
}
