"""mise en demeure (step 3), recourse file (step 4), the dunning e-mails as sent, and the
client's legal form

Revision ID: j1formal01
Revises: h5prov01
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'j1formal01'
down_revision = 'h5prov01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'dunning_messages',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('message_id', sa.String(255), nullable=False, unique=True),
        sa.Column('provider_id', sa.Integer(), sa.ForeignKey('providers.id'), nullable=False),
        sa.Column('client_email', sa.String(254), nullable=False),
        sa.Column('step', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('raw', sa.Text(), nullable=False),
    )
    op.create_index('ix_dunning_messages_provider_id', 'dunning_messages', ['provider_id'])
    op.create_table(
        'formal_notices',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('provider_id', sa.Integer(), sa.ForeignKey('providers.id'), nullable=False),
        sa.Column('client_id', sa.Integer(), sa.ForeignKey('clients.id'), nullable=False),
        sa.Column('client_email', sa.String(254), nullable=False),
        sa.Column('locale', sa.String(5), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=True),
        sa.Column('deadline', sa.Date(), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('message_id', sa.String(255), nullable=True),
        sa.Column('currency', sa.String(3), nullable=False),
        sa.Column('total_minor', sa.Integer(), nullable=True),
        sa.Column('pdf', sa.LargeBinary(), nullable=True),
        sa.Column('mail_task', sa.String(16), nullable=False),
        sa.Column('tracking_number', sa.String(64), nullable=True),
        sa.Column('posted_on', sa.Date(), nullable=True),
    )
    op.create_index('ix_formal_notices_provider_id', 'formal_notices', ['provider_id'])
    op.create_table(
        'recourse_files',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('provider_id', sa.Integer(), sa.ForeignKey('providers.id'), nullable=False),
        sa.Column('client_id', sa.Integer(), sa.ForeignKey('clients.id'), nullable=False),
        sa.Column('client_email', sa.String(254), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('route', sa.String(32), nullable=False),
        sa.Column('facts', sa.JSON(), nullable=False),
        sa.Column('limitation_on', sa.Date(), nullable=False),
        sa.Column('insolvency_checked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('insolvent', sa.Boolean(), nullable=True),
    )
    op.create_index('ix_recourse_files_provider_id', 'recourse_files', ['provider_id'])
    with op.batch_alter_table('dunning_steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('recourse_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_dunning_steps_notice', 'formal_notices',
                                    ['notice_id'], ['id'])
        batch_op.create_foreign_key('fk_dunning_steps_recourse', 'recourse_files',
                                    ['recourse_id'], ['id'])
        batch_op.create_index('ix_dunning_steps_notice_id', ['notice_id'])
        batch_op.create_index('ix_dunning_steps_recourse_id', ['recourse_id'])
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_form', sa.String(64), nullable=True))


def downgrade():
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_column('legal_form')
    with op.batch_alter_table('dunning_steps', schema=None) as batch_op:
        batch_op.drop_index('ix_dunning_steps_recourse_id')
        batch_op.drop_index('ix_dunning_steps_notice_id')
        batch_op.drop_constraint('fk_dunning_steps_recourse', type_='foreignkey')
        batch_op.drop_constraint('fk_dunning_steps_notice', type_='foreignkey')
        batch_op.drop_column('recourse_id')
        batch_op.drop_column('notice_id')
    op.drop_table('recourse_files')
    op.drop_table('formal_notices')
    op.drop_table('dunning_messages')
