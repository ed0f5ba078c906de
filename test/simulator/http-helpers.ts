import type { Simulator } from "../../simulator/index.js";

/**
 * Plain HTTPS calls for the simulator's own protocol tests (the product's client is tested in
 * test/exchange through msal-node and the Graph client).
 */
export interface HttpAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export async function postToken(
  sim: Simulator,
  tenant: string,
  form: Record<string, string>,
): Promise<HttpAnswer> {
  const res = await fetch(`${sim.loginUrl}/${tenant}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown>,
  };
}

export async function appToken(
  sim: Simulator,
  tenant: string,
  clientId: string,
  clientSecret: string,
): Promise<string> {
  const answer = await postToken(sim, tenant, {
    grant_type: "client_credentials",
    client_id: clientId,
    client_secret: clientSecret,
    scope: `${sim.graphUrl}/.default`,
  });
  const token = answer.body.access_token;
  if (typeof token !== "string") throw new Error(`no token: ${JSON.stringify(answer.body)}`);
  return token;
}

export async function graphGet<T = Record<string, unknown>>(
  sim: Simulator,
  token: string | undefined,
  pathOrUrl: string,
  headers: Record<string, string> = {},
): Promise<HttpAnswer<T>> {
  const url = pathOrUrl.startsWith("https://") ? pathOrUrl : `${sim.graphUrl}/v1.0${pathOrUrl}`;
  const res = await fetch(url, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  const type = res.headers.get("content-type") ?? "";
  const body = type.includes("json") ? await res.json() : Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body: body as T };
}

export interface GraphCollection<T = Record<string, unknown>> {
  value: T[];
  "@odata.nextLink"?: string;
  "@odata.deltaLink"?: string;
  "@odata.count"?: number;
}

export interface GraphErrorBody {
  error: { code: string; message: string };
}

/** Follows nextLinks to the end; returns every item and the final deltaLink, if any. */
export async function collectPages<T = Record<string, unknown>>(
  sim: Simulator,
  token: string,
  first: string,
  headers: Record<string, string> = {},
): Promise<{ items: T[]; pages: number; deltaLink?: string }> {
  const items: T[] = [];
  let url: string | undefined = first;
  let pages = 0;
  let deltaLink: string | undefined;
  while (url) {
    const answer: HttpAnswer<GraphCollection<T>> = await graphGet<GraphCollection<T>>(
      sim,
      token,
      url,
      headers,
    );
    if (answer.status !== 200)
      throw new Error(`HTTP ${answer.status}: ${JSON.stringify(answer.body)}`);
    items.push(...answer.body.value);
    pages++;
    url = answer.body["@odata.nextLink"];
    deltaLink = answer.body["@odata.deltaLink"];
  }
  return { items, pages, deltaLink };
}
