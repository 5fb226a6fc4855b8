/**
 * The ServiceAccount a workload runs as: the subject of its federated identity credential.
 */
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DNS1123_LABEL, DNS1123_SUBDOMAIN } from '../lib/kubernetes';
import { CLIENT_ID_ANNOTATION, GUID, serviceAccountSubject } from '../lib/azure';
import { constructError } from './construct-error';

export interface WorkloadServiceAccountProps {
  /** ServiceAccount name (DNS-1123 subdomain). */
  readonly name: string;
  readonly namespace: string;
  /** Client id of the user-assigned identity federated with this ServiceAccount. */
  readonly clientId: string;
  /**
   * Mount the Kubernetes API token into pods (`automountServiceAccountToken`).
   *
   * Off by default: neither secret delivery path needs it. The CSI driver gets its token for
   * audience `api://AzureADTokenExchange` from the kubelet (CSIDriver `tokenRequests`), and the
   * Workload Identity webhook injects its own projected token volume (`azure-identity-token`)
   * into pods labelled `azure.workload.identity/use: "true"`. Turn it on only when the app
   * itself calls the Kubernetes API.
   * @default false
   * @see https://azure.github.io/azure-workload-identity/docs/topics/service-account-labels-and-annotations.html
   */
  readonly automountToken?: boolean;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Extra annotations (the client-id annotation is always set). @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A ServiceAccount annotated with the client id of its Azure identity. */
export class WorkloadServiceAccount extends Construct {
  readonly name: string;
  readonly namespace: string;
  readonly clientId: string;
  readonly automountToken: boolean;
  /** `system:serviceaccount:<namespace>:<name>`: what the federated credential must name. */
  readonly subject: string;
  readonly resource: kplus.ServiceAccount;

  constructor(scope: Construct, id: string, props: WorkloadServiceAccountProps) {
    super(scope, id);
    const subject = `ServiceAccount ${props.namespace}/${props.name}`;
    if (!DNS1123_SUBDOMAIN.test(props.name)) throw constructError(subject, 'name', props.name, 'use a DNS-1123 name: lower-case letters, digits, "-" and "."');
    if (!DNS1123_LABEL.test(props.namespace))
      throw constructError(subject, 'namespace', props.namespace, 'use a DNS-1123 label: lower-case letters, digits and "-"');
    if (!GUID.test(props.clientId))
      throw constructError(subject, 'clientId', props.clientId, "use the client id (a GUID) of the workload's user-assigned identity");

    this.name = props.name;
    this.namespace = props.namespace;
    this.clientId = props.clientId;
    this.automountToken = props.automountToken ?? false;
    this.subject = serviceAccountSubject(props.namespace, props.name);
    this.resource = new kplus.ServiceAccount(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        ...(props.labels ? { labels: { ...props.labels } } : {}),
        annotations: { ...props.annotations, [CLIENT_ID_ANNOTATION]: props.clientId },
      },
      automountToken: this.automountToken,
    });
  }
}
