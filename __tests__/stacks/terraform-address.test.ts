/** stacks/terraform-address.ts: pinned Terraform names are identifiers, never text Terraform would read otherwise. */
import { terraformName } from '../../stacks/terraform-address';

test.each([
  [['this'], 'this'],
  [['demo-app', 'secret', 'DB-Password'], 'demo-app_secret_DB-Password'],
  [['1st'], '_1st'],
])('joins %j into %j', (parts, name) => {
  expect(terraformName(...parts)).toBe(name);
});

test.each([['a${x}'], ['a.b'], ['a b'], ['ä']])(
  'fails a part that is not identifier text: %j (Terraform identifiers: developer.hashicorp.com/terraform/language/syntax/configuration#identifiers)',
  (part) => {
    expect(() => terraformName('identity', part)).toThrow(
      `Terraform name ${JSON.stringify(`identity_${part}`)}: a resource name holds only letters, digits, "_" and "-"; derive it from a validated name`,
    );
  },
);
