/**
 * The Python tool's three built-in starter templates, as pygubu `.ui` files. `pygubu-db init` and
 * `pygubu-template seed` publish them (author `pygubuai`, version 1.0.0) with fixed event ids, so
 * seeding twice publishes nothing new.
 */
export interface StarterTemplate {
  name: string;
  version: string;
  description: string;
  tags: string[];
  files: { path: string; content: string }[];
}

const ui = (body: string): string => `<?xml version='1.0' encoding='utf-8'?>
<interface version="1.3">
${body}
</interface>
`;

const grid = (row: number, column: number, extra = ''): string => `<layout manager="grid">
              <property name="column">${column}</property>
              <property name="row">${row}</property>
              <property name="padx">4</property>
              <property name="pady">4</property>${extra}
            </layout>`;

const sticky = (s: string) => `
              <property name="sticky">${s}</property>`;

const label = (id: string, text: string, row: number, column = 0): string => `        <child>
          <object class="ttk.Label" id="${id}">
            <property name="text" translatable="yes">${text}</property>
            ${grid(row, column, sticky('w'))}
          </object>
        </child>`;

const button = (id: string, text: string, command: string, row: number, column: number): string => `        <child>
          <object class="ttk.Button" id="${id}">
            <property name="text" translatable="yes">${text}</property>
            <property name="command" type="command" cbtype="simple">${command}</property>
            ${grid(row, column, sticky('ew'))}
          </object>
        </child>`;

const window = (id: string, title: string, children: string): string => `  <object class="tk.Toplevel" id="${id}">
    <property name="title" translatable="yes">${title}</property>
    <property name="resizable">both</property>
    <child>
      <object class="ttk.Frame" id="main_frame">
        <property name="padding">12</property>
        <layout manager="pack">
          <property name="expand">true</property>
          <property name="fill">both</property>
        </layout>
${children}
      </object>
    </child>
  </object>`;

const LOGIN_UI = ui(
  window(
    'login_window',
    'Login',
    [
      label('username_label', 'Username', 0),
      `        <child>
          <object class="ttk.Entry" id="username_entry">
            <property name="textvariable">string:username</property>
            ${grid(0, 1, sticky('ew'))}
          </object>
        </child>`,
      label('password_label', 'Password', 1),
      `        <child>
          <object class="ttk.Entry" id="password_entry">
            <property name="show">*</property>
            <property name="textvariable">string:password</property>
            ${grid(1, 1, sticky('ew'))}
          </object>
        </child>`,
      button('login_button', 'Login', 'on_login', 2, 1),
    ].join('\n'),
  ),
);

const column = (id: string, text: string, width: number): string => `            <child>
              <object class="ttk.Treeview.Column" id="${id}">
                <property name="column_anchor">w</property>
                <property name="heading_anchor">w</property>
                <property name="minwidth">20</property>
                <property name="stretch">true</property>
                <property name="text" translatable="yes">${text}</property>
                <property name="tree_column">false</property>
                <property name="visible">true</property>
                <property name="width">${width}</property>
              </object>
            </child>`;

const CRUD_UI = ui(
  window(
    'crud_window',
    'Records',
    [
      label('name_label', 'Name', 0),
      `        <child>
          <object class="ttk.Entry" id="name_entry">
            <property name="textvariable">string:name</property>
            ${grid(0, 1, sticky('ew'))}
          </object>
        </child>`,
      `        <child>
          <object class="ttk.Frame" id="buttons_frame">
            ${grid(1, 0, `
              <property name="columnspan">2</property>${sticky('ew')}`)}
${[button('add_button', 'Add', 'on_add', 0, 0), button('update_button', 'Update', 'on_update', 0, 1), button('delete_button', 'Delete', 'on_delete', 0, 2)]
  .join('\n')
  .replace(/^/gm, '    ')}
          </object>
        </child>`,
      `        <child>
          <object class="ttk.Treeview" id="records_tree">
            <property name="selectmode">browse</property>
            <property name="show">headings</property>
            <bind sequence="&lt;&lt;TreeviewSelect&gt;&gt;" handler="on_select" add="" />
            ${grid(2, 0, `
              <property name="columnspan">2</property>${sticky('nsew')}`)}
${column('id_column', 'ID', 60)}
${column('name_column', 'Name', 200)}
          </object>
        </child>`,
    ].join('\n'),
  ),
);

const check = (id: string, text: string, variable: string, row: number): string => `        <child>
          <object class="ttk.Checkbutton" id="${id}">
            <property name="text" translatable="yes">${text}</property>
            <property name="variable">boolean:${variable}</property>
            ${grid(row, 0, `
              <property name="columnspan">2</property>${sticky('w')}`)}
          </object>
        </child>`;

const SETTINGS_UI = ui(
  window(
    'settings_window',
    'Settings',
    [
      label('theme_label', 'Theme', 0),
      `        <child>
          <object class="ttk.Combobox" id="theme_combobox">
            <property name="state">readonly</property>
            <property name="textvariable">string:theme</property>
            <property name="values">Light Dark</property>
            ${grid(0, 1, sticky('ew'))}
          </object>
        </child>`,
      check('autosave_check', 'Auto-save', 'auto_save', 1),
      check('notifications_check', 'Notifications', 'notifications', 2),
      button('save_button', 'Save', 'on_save', 3, 0),
      button('cancel_button', 'Cancel', 'on_cancel', 3, 1),
    ].join('\n'),
  ),
);

const readme = (title: string, text: string, callbacks: string[]): string =>
  `# ${title}\n\n${text}\n\nCallbacks to implement: ${callbacks.map((c) => `\`${c}\``).join(', ')}.\n\nLoad it with \`pygubu.Builder().add_from_file(...)\`.\n`;

export const STARTER_TEMPLATES: readonly StarterTemplate[] = [
  {
    name: 'login',
    version: '1.0.0',
    description: 'Login form: username and password entries and a login button',
    tags: ['starter', 'form', 'auth'],
    files: [
      { path: 'login.ui', content: LOGIN_UI },
      { path: 'README.md', content: readme('Login form', 'A username entry, a password entry (masked) and a Login button.', ['on_login']) },
    ],
  },
  {
    name: 'crud',
    version: '1.0.0',
    description: 'CRUD screen: a name entry, add/update/delete buttons and a treeview with id and name columns',
    tags: ['starter', 'crud', 'table'],
    files: [
      { path: 'crud.ui', content: CRUD_UI },
      {
        path: 'README.md',
        content: readme('CRUD screen', 'A name entry, Add/Update/Delete buttons and a treeview listing records by id and name.', [
          'on_add',
          'on_update',
          'on_delete',
          'on_select',
        ]),
      },
    ],
  },
  {
    name: 'settings',
    version: '1.0.0',
    description: 'Settings dialog: theme combobox (Light/Dark), auto-save and notifications checkbuttons, save and cancel buttons',
    tags: ['starter', 'settings', 'dialog'],
    files: [
      { path: 'settings.ui', content: SETTINGS_UI },
      {
        path: 'README.md',
        content: readme('Settings dialog', 'A theme combobox (Light/Dark), Auto-save and Notifications checkbuttons, Save and Cancel buttons.', [
          'on_save',
          'on_cancel',
        ]),
      },
    ],
  },
];

export const STARTER_AUTHOR = 'pygubuai';
export const starterEventId = (t: StarterTemplate): string => `starter-${t.name}-${t.version}`;
